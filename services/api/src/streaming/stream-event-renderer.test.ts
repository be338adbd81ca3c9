import { describe, expect, it } from 'vitest';
import type { StreamPart } from '@switchyard/core';
import { createStreamEventRenderer } from './stream-event-renderer.ts';

const finish: StreamPart = { type: 'finish', finishReason: 'stop', usage: { inputTokens: 4, outputTokens: 2 } };

describe('stream event renderer', () => {
  it('renders OpenAI chunks with ids, the usage chunk when asked, and [DONE]', () => {
    const renderer = createStreamEventRenderer({ endpoint: '/v1/chat/completions', requestId: 'req_abc', createdAt: 1_700_000_000_500, includeUsage: true, eventIds: true });
    const first = renderer.render(1, { type: 'text-delta', text: 'Hi' }, 'gpt-4o');
    const events = first.split('\n\n').filter(Boolean);
    expect(events).toHaveLength(2);
    expect(events.every((event) => event.startsWith('id: 1\ndata: {'))).toBe(true);
    expect(JSON.parse(events[1]!.slice('id: 1\ndata: '.length))).toMatchObject({
      id: 'chatcmpl-abc', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o', choices: [{ delta: { content: 'Hi' } }],
    });
    const last = renderer.render(2, finish, 'ignored').split('\n\n').filter(Boolean);
    expect(last.map((event) => event.split('\n')[0])).toEqual(['id: 2', 'id: 2', 'id: 2']);
    expect(JSON.parse(last[1]!.slice('id: 2\ndata: '.length)).usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 2 });
    expect(last[2]).toBe('id: 2\ndata: [DONE]');
  });

  it('renders Anthropic events without ids for a live stream', () => {
    const renderer = createStreamEventRenderer({ endpoint: '/v1/messages', requestId: 'req_abc', createdAt: 0, includeUsage: false, eventIds: false });
    const text = renderer.render(1, { type: 'text-delta', text: 'Hi' }, 'gpt-4o') + renderer.render(2, finish, 'gpt-4o');
    const names = text.split('\n\n').filter(Boolean).map((event) => event.split('\n')[0]);
    expect(names).toEqual([
      'event: message_start', 'event: content_block_start', 'event: content_block_delta', 'event: content_block_stop', 'event: message_delta', 'event: message_stop',
    ]);
    expect(text).toContain('"id":"msg_abc"');
  });

  it('renders an error before any part in each format\'s error shape', () => {
    const error: StreamPart = { type: 'error', error: { code: 'upstream_overloaded', message: 'busy' } };
    const openai = createStreamEventRenderer({ endpoint: '/v1/chat/completions', requestId: 'req_x', createdAt: 0, includeUsage: false, eventIds: false });
    expect(openai.render(1, error, 'm')).toBe('data: {"error":{"message":"busy","type":"overloaded","code":"upstream_overloaded"}}\n\n');
    const anthropic = createStreamEventRenderer({ endpoint: '/v1/messages', requestId: 'req_x', createdAt: 0, includeUsage: false, eventIds: false });
    expect(anthropic.render(1, error, 'm')).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"busy"}}\n\n');
  });
});
