import type { StreamPart } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { openAIChunks, parseSse, readFixture } from '../__fixtures__/sse.ts';
import { createOpenAIChunkParser } from './chunk-parser.ts';
import { createOpenAIStreamRenderer } from './stream-renderer.ts';

function parseAll(chunks: unknown[]): StreamPart[] {
  const parser = createOpenAIChunkParser();
  return [...chunks.flatMap((chunk) => parser.parse(chunk)), ...parser.finish()];
}

describe('createOpenAIChunkParser', () => {
  it('parses a recorded text stream and takes usage from the chunk after finish_reason', () => {
    expect(parseAll(openAIChunks(readFixture('openai-stream-text.sse')))).toEqual([
      { type: 'text-delta', text: 'The capital' },
      { type: 'text-delta', text: ' of France is' },
      { type: 'text-delta', text: ' Paris.' },
      {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 1310, outputTokens: 8, cachedInputTokens: 1152 },
        model: 'gpt-4o-mini-2024-07-18',
        id: 'chatcmpl-BXGoP4nR7tYqW2xZk9LmV3cB8dJfH',
      },
    ]);
  });

  it('parses a recorded parallel tool-call stream', () => {
    expect(parseAll(openAIChunks(readFixture('openai-stream-tool-calls.sse')))).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_Rz3Rk1dPqXk3cV9bLmN2oQ7w', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"lo' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'cation": "Paris' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ', France"}' },
      { type: 'tool-call-start', index: 1, id: 'call_8hTqWc2LmYp4dZr6XvB1nK0s', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"location": "Tokyo, Japan"}' },
      {
        type: 'finish',
        finishReason: 'tool_calls',
        usage: { inputTokens: 82, outputTokens: 51, cachedInputTokens: 0 },
        model: 'gpt-4o-2024-08-06',
        id: 'chatcmpl-BXGpT8vC3kLmQ9wR2zY5nX1bH7dFe',
      },
    ]);
  });

  it('emits exactly one finish part, flagged as estimated when no usage arrived', () => {
    const parser = createOpenAIChunkParser();
    parser.parse({ choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'length' }] });
    expect(parser.finish()).toEqual([{ type: 'finish', finishReason: 'length', usage: { inputTokens: 0, outputTokens: 0, estimated: true } }]);
    expect(parser.finish()).toEqual([]);
  });

  it('handles servers that send a whole tool call in one chunk without an index or id', () => {
    const parser = createOpenAIChunkParser();
    expect(
      parser.parse({ choices: [{ index: 0, delta: { tool_calls: [{ function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' }] }),
    ).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":1}' },
    ]);
  });

  it('turns error chunks and unreadable chunks into error parts without throwing', () => {
    const parser = createOpenAIChunkParser();
    expect(parser.parse({ error: { message: 'The server had an error while processing your request.', type: 'server_error' } })).toEqual([
      { type: 'error', error: { code: 'upstream_error', message: 'The server had an error while processing your request.' } },
    ]);
    expect(parser.parse({ error: 'model not loaded' })).toEqual([{ type: 'error', error: { code: 'upstream_error', message: 'model not loaded' } }]);
    for (const garbage of ['text', 42, null, { choices: 'nope' }, { choices: [{ delta: { content: 5 } }] }]) {
      expect(parser.parse(garbage)).toEqual([{ type: 'error', error: { code: 'upstream_error', message: 'upstream sent an unreadable stream chunk' } }]);
    }
  });

  it('reads the common chunk shapes (nulls, unknown fields, several choices) as the schema does, and refuses what it refuses', () => {
    const parser = createOpenAIChunkParser();
    const common = [
      {
        id: null,
        model: null,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null, logprobs: null }],
      },
      { choices: [{ delta: { content: 'a' } }, { delta: { content: 'b' }, finish_reason: null }], system_fingerprint: 'fp' },
      { choices: null, usage: null },
      { choices: [{ delta: null, finish_reason: 'length' }] },
    ];
    expect(common.flatMap((chunk) => parser.parse(chunk))).toEqual([
      { type: 'text-delta', text: 'a' },
      { type: 'text-delta', text: 'b' },
    ]);
    expect(parser.finish()).toEqual([{ type: 'finish', finishReason: 'length', usage: { inputTokens: 0, outputTokens: 0, estimated: true } }]);
    const unreadable = [
      { id: 7, choices: [] },
      { model: {} },
      { choices: [{ delta: 'x' }] },
      { choices: [{ finish_reason: 3 }] },
      { choices: [null] },
      [{ choices: [] }],
    ];
    for (const chunk of unreadable) {
      expect(createOpenAIChunkParser().parse(chunk)).toEqual([
        { type: 'error', error: { code: 'upstream_error', message: 'upstream sent an unreadable stream chunk' } },
      ]);
    }
  });

  it('gives back the same parts the stream renderer was fed', () => {
    const parts: StreamPart[] = [
      { type: 'text-delta', text: 'Checking' },
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 40, outputTokens: 12, cachedInputTokens: 8 }, model: 'gpt-4o', id: 'chatcmpl-sy_01' },
    ];
    const renderer = createOpenAIStreamRenderer({ id: 'chatcmpl-sy_01', created: 1, model: 'gpt-4o', includeUsage: true });
    const chunks = parts.flatMap((part) => renderer.push(part));
    expect(parseAll(JSON.parse(JSON.stringify(chunks)) as unknown[])).toEqual(parts);
  });

  describe('parseText', () => {
    const textChunk = (content: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        model: 'gpt-4o',
        choices: [{ index: 0, delta: { content }, finish_reason: null }],
        ...extra,
      });
    // Every shape a stream mixes in between its text deltas, each after a run of text the slot has learned.
    const texts = [
      JSON.stringify({ id: 'chatcmpl-1', model: 'gpt-4o', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
      textChunk('Hel'),
      textChunk('lo "quoted" \\ \n 😀'),
      textChunk(''),
      textChunk('\u2028'),
      // Not text only: never learned, so the second is parsed whole too.
      textChunk('w', { error: { message: 'overloaded' } }),
      textChunk('v', { error: { message: 'overloaded' } }),
      JSON.stringify({
        id: 'chatcmpl-1',
        model: 'gpt-4o',
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '{' } }] }, finish_reason: null }],
      }),
      textChunk('after a tool call'),
      textChunk('x', { id: 'chatcmpl-other' }),
      textChunk('y', { model: 'gpt-4o-2024' }),
      JSON.stringify({
        id: 'chatcmpl-1',
        model: 'gpt-4o',
        choices: [
          { index: 0, delta: { content: 'two' }, finish_reason: null },
          { index: 1, delta: { content: 'choices' }, finish_reason: null },
        ],
      }),
      textChunk('z'),
      textChunk('last', { choices: [{ index: 0, delta: { content: 'last' }, finish_reason: 'length' }] }),
      textChunk('', { choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } }),
      textChunk('after the usage'),
    ];

    it('gives the parts, usage and finish that parsing each chunk whole gives', () => {
      const whole = createOpenAIChunkParser();
      const byText = createOpenAIChunkParser();
      const expected = [...texts.flatMap((text) => whole.parse(JSON.parse(text))), ...whole.finish()];
      const actual = [...texts.flatMap((text) => byText.parseText(text) ?? []), ...byText.finish()];
      expect(actual).toEqual(expected);
      expect(actual).toContainEqual({ type: 'text-delta', text: 'lo "quoted" \\ \n 😀' });
      expect(actual.at(-1)).toEqual({ type: 'finish', finishReason: 'length', usage: { inputTokens: 5, outputTokens: 7 }, model: 'gpt-4o', id: 'chatcmpl-1' });
    });

    it('gives the same parts for recorded streams', () => {
      for (const name of ['openai-stream-text.sse', 'openai-stream-tool-calls.sse']) {
        const events = parseSse(readFixture(name)).filter((event) => event.data !== '[DONE]');
        const byText = createOpenAIChunkParser();
        expect([...events.flatMap((event) => byText.parseText(event.data) ?? []), ...byText.finish()]).toEqual(
          parseAll(events.map((event) => JSON.parse(event.data))),
        );
      }
    });

    it('says a chunk that is not JSON is unreadable, after learned chunks too', () => {
      const parser = createOpenAIChunkParser();
      parser.parseText(textChunk('a'));
      expect(parser.parseText(textChunk('b'))).toEqual([{ type: 'text-delta', text: 'b' }]);
      expect(parser.parseText(`${textChunk('c').slice(0, -1)}`)).toBeUndefined();
      expect(parser.parseText('{not json')).toBeUndefined();
    });
  });
});
