import { describe, expect, it } from 'vitest';
import type { StreamPart } from '@switchyard/core';
import { createStreamEventRenderer, type RenderedEvent } from './stream-event-renderer.ts';

const finish: StreamPart = { type: 'finish', finishReason: 'stop', usage: { inputTokens: 4, outputTokens: 2 } };
const sse = (events: RenderedEvent[]) => events.map((event) => event.text).join('');

describe('stream event renderer', () => {
  it('renders OpenAI chunks with one id per event, the usage chunk when asked, and [DONE]', () => {
    const renderer = createStreamEventRenderer({
      endpoint: '/v1/chat/completions',
      requestId: 'req_abc',
      createdAt: 1_700_000_000_500,
      includeUsage: true,
      eventIds: true,
    });
    const first = renderer.render({ type: 'text-delta', text: 'Hi' }, 'gpt-4o');
    // The role chunk and the first delta come from one part but are two events, with two ids.
    expect(first.map((event) => event.id)).toEqual([1, 2]);
    const events = sse(first).split('\n\n').filter(Boolean);
    expect(events).toHaveLength(2);
    expect(events[0]!.startsWith('id: 1\ndata: {')).toBe(true);
    expect(events[1]!.startsWith('id: 2\ndata: {')).toBe(true);
    expect(JSON.parse(events[1]!.slice('id: 2\ndata: '.length))).toMatchObject({
      id: 'chatcmpl-abc',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'gpt-4o',
      choices: [{ delta: { content: 'Hi' } }],
    });
    const last = sse(renderer.render(finish, 'ignored')).split('\n\n').filter(Boolean);
    expect(last.map((event) => event.split('\n')[0])).toEqual(['id: 3', 'id: 4', 'id: 5']);
    expect(JSON.parse(last[1]!.slice('id: 4\ndata: '.length)).usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 2 });
    expect(last[2]).toBe('id: 5\ndata: [DONE]');
  });

  it('renders Anthropic events without ids for a live stream', () => {
    const renderer = createStreamEventRenderer({ endpoint: '/v1/messages', requestId: 'req_abc', createdAt: 0, includeUsage: false, eventIds: false });
    const text = sse(renderer.render({ type: 'text-delta', text: 'Hi' }, 'gpt-4o')) + sse(renderer.render(finish, 'gpt-4o'));
    const names = text
      .split('\n\n')
      .filter(Boolean)
      .map((event) => event.split('\n')[0]);
    expect(names).toEqual([
      'event: message_start',
      'event: content_block_start',
      'event: content_block_delta',
      'event: content_block_stop',
      'event: message_delta',
      'event: message_stop',
    ]);
    expect(text).toContain('"id":"msg_abc"');
  });

  it('numbers Anthropic events one by one, the same way on every telling', () => {
    const tell = () => {
      const renderer = createStreamEventRenderer({ endpoint: '/v1/messages', requestId: 'req_abc', createdAt: 0, includeUsage: false, eventIds: true });
      return [...renderer.render({ type: 'text-delta', text: 'Hi' }, 'm'), ...renderer.render(finish, 'm')];
    };
    const events = tell();
    expect(events.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.map((event) => event.text.split('\n')[0])).toEqual(['id: 1', 'id: 2', 'id: 3', 'id: 4', 'id: 5', 'id: 6']);
    expect(tell()).toEqual(events);
  });

  it("renders an error before any part in each format's error shape", () => {
    const error: StreamPart = { type: 'error', error: { code: 'upstream_overloaded', message: 'busy' } };
    const openai = createStreamEventRenderer({ endpoint: '/v1/chat/completions', requestId: 'req_x', createdAt: 0, includeUsage: false, eventIds: false });
    expect(sse(openai.render(error, 'm'))).toBe('data: {"error":{"message":"busy","type":"overloaded","code":"upstream_overloaded"}}\n\n');
    const anthropic = createStreamEventRenderer({ endpoint: '/v1/messages', requestId: 'req_x', createdAt: 0, includeUsage: false, eventIds: false });
    expect(sse(anthropic.render(error, 'm'))).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"busy"}}\n\n');
  });

  it("frames an error of the connection without an id, so the client's last id stays on the stream", () => {
    const renderer = createStreamEventRenderer({ endpoint: '/v1/chat/completions', requestId: 'req_x', createdAt: 0, includeUsage: false, eventIds: true });
    renderer.render({ type: 'text-delta', text: 'Hi' }, 'm');
    expect(renderer.renderNotice({ code: 'client_too_slow', message: 'slow' }, 'm')).toMatch(
      /^data: \{"error":\{"message":"slow",.*"code":"client_too_slow"\}\}\n\n$/,
    );
  });
});
