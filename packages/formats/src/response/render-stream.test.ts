import type { StreamPart } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { createAnthropicStreamRenderer } from '../anthropic/stream-renderer.ts';
import { createOpenAIStreamRenderer } from '../openai/stream-renderer.ts';
import { createStreamResponseRenderer } from './render-stream.ts';
import { retellResponse } from './retell-response.ts';
import { renderResponse } from './render-response.ts';

const meta = { requestId: 'req_01abc', createdAt: 1_747_220_611_900, model: 'gpt-4o', includeUsage: true };
const parts: StreamPart[] = [
  { type: 'text-delta', text: 'Hello' },
  { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 1 } },
];

describe('createStreamResponseRenderer', () => {
  it('renders OpenAI chunks with the chat id rule and ends a finished stream with [DONE]', () => {
    const renderer = createStreamResponseRenderer('/v1/chat/completions', meta);
    const direct = createOpenAIStreamRenderer({ id: 'chatcmpl-01abc', created: 1_747_220_611, model: 'gpt-4o', includeUsage: true });
    const events = parts.flatMap((part) => renderer.push(part));
    expect(events).toEqual([...parts.flatMap((part) => direct.push(part)).map((chunk) => ({ data: JSON.stringify(chunk) })), { data: '[DONE]' }]);
  });

  it('sends no [DONE] after an error', () => {
    const renderer = createStreamResponseRenderer('/v1/chat/completions', meta);
    renderer.push(parts[0]!);
    const events = renderer.push({ type: 'error', error: { code: 'upstream_error', message: 'gone' } });
    expect(events).toHaveLength(1);
    expect(events[0]!.data).not.toBe('[DONE]');
  });

  it('renders Anthropic named events with the message id rule', () => {
    const renderer = createStreamResponseRenderer('/v1/messages', meta);
    const direct = createAnthropicStreamRenderer({ id: 'msg_01abc', model: 'gpt-4o' });
    expect(parts.flatMap((part) => renderer.push(part))).toEqual(
      parts.flatMap((part) => direct.push(part)).map(({ event, data }) => ({ event, data: JSON.stringify(data) })),
    );
  });

  // Text deltas after the opening come from a template (json-template.ts): byte for byte what serializing the whole chunk gives.
  describe('text deltas from a template', () => {
    const tricky: StreamPart[] = [
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' "quoted" \\ back\nslash \u2028 é 👋 </script>' },
      { type: 'text-delta', text: '' },
      { type: 'text-delta', text: '"content":""' },
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":' },
      { type: 'text-delta', text: 'after the tool' },
      { type: 'text-delta', text: '"text":""' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 9 } },
      { type: 'text-delta', text: 'after the end' },
    ];
    const model = 'gpt-4o "content":"" "text":""';

    for (const includeUsage of [true, false]) {
      it(`OpenAI (includeUsage ${includeUsage})`, () => {
        const renderer = createStreamResponseRenderer('/v1/chat/completions', { ...meta, model, includeUsage });
        const direct = createOpenAIStreamRenderer({ id: 'chatcmpl-01abc', created: 1_747_220_611, model, includeUsage });
        const expected = tricky.flatMap((part) => {
          const chunks = direct.push(part).map((chunk) => ({ data: JSON.stringify(chunk) }));
          return part.type === 'finish' ? [...chunks, { data: '[DONE]' }] : chunks;
        });
        expect(tricky.flatMap((part) => renderer.push(part))).toEqual(expected);
      });
    }

    it('Anthropic, across content blocks', () => {
      const renderer = createStreamResponseRenderer('/v1/messages', { ...meta, model });
      const direct = createAnthropicStreamRenderer({ id: 'msg_01abc', model });
      expect(tricky.flatMap((part) => renderer.push(part))).toEqual(
        tricky.flatMap((part) => direct.push(part)).map(({ event, data }) => ({ event, data: JSON.stringify(data) })),
      );
    });
  });

  it('has no stream format for embeddings', () => {
    expect(() => createStreamResponseRenderer('/v1/embeddings', meta)).toThrow(/no stream format/);
  });
});

describe('retellResponse', () => {
  it('tells a rendered chat body again as the parts of the same answer', () => {
    const response = {
      model: 'gpt-4o',
      content: [{ type: 'text' as const, text: 'Hi' }],
      toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }],
      finishReason: 'tool_calls' as const,
      usage: { inputTokens: 5, outputTokens: 4 },
    };
    for (const endpoint of ['/v1/chat/completions', '/v1/messages'] as const) {
      const body = renderResponse(endpoint, { kind: 'chat', response }, meta);
      expect(retellResponse(endpoint, body)).toEqual([
        { type: 'text-delta', text: 'Hi' },
        { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":1}' },
        expect.objectContaining({ type: 'finish', finishReason: 'tool_calls', usage: expect.objectContaining({ inputTokens: 5, outputTokens: 4 }) }),
      ]);
    }
  });
});
