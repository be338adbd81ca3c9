import Anthropic from '@anthropic-ai/sdk';
import type { StreamPart } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { sseFetch } from '../__fixtures__/sse.ts';
import { createAnthropicStreamRenderer, type AnthropicStreamEvent } from './stream-renderer.ts';

const meta = { id: 'msg_sy_01', model: 'claude-sonnet-4-5' };

const messageStart = {
  event: 'message_start',
  data: {
    type: 'message_start',
    message: {
      id: 'msg_sy_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    },
  },
};

const mixedParts: StreamPart[] = [
  { type: 'text-delta', text: 'Let me ' },
  { type: 'text-delta', text: 'check.' },
  { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
  { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
  { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 300, outputTokens: 42, cachedInputTokens: 200 } },
];

function renderAll(parts: StreamPart[]): AnthropicStreamEvent[] {
  const renderer = createAnthropicStreamRenderer(meta);
  return parts.flatMap((part) => renderer.push(part));
}

function toSse(events: AnthropicStreamEvent[]): string {
  return events.map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}

function client(body: string): Anthropic {
  return new Anthropic({ apiKey: 'sk-ant-test', baseURL: 'http://switchyard.test', fetch: sseFetch(body), maxRetries: 0 });
}

describe('createAnthropicStreamRenderer', () => {
  it('renders the exact event sequence with block indexes and closes each block before the next', () => {
    expect(renderAll(mixedParts)).toEqual([
      messageStart,
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me ' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'check.' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_a', name: 'get_weather', input: {} } },
      },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location":' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_b', name: 'get_time', input: {} } },
      },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 2 } },
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { input_tokens: 100, output_tokens: 42, cache_read_input_tokens: 200 },
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]);
  });

  it('produces a valid sequence for a finish with no content', () => {
    expect(renderAll([{ type: 'finish', finishReason: 'length', usage: { inputTokens: 7, outputTokens: 0 } }]).map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('reports known input tokens in message_start', () => {
    const [start] = createAnthropicStreamRenderer({ ...meta, inputTokens: 12 }).push({ type: 'text-delta', text: 'x' });
    expect((start!.data.message as { usage: unknown }).usage).toEqual({ input_tokens: 12, output_tokens: 0 });
  });

  it('renders an error part as an error event and ignores anything after it', () => {
    const renderer = createAnthropicStreamRenderer(meta);
    renderer.push({ type: 'text-delta', text: 'Hi' });
    expect(renderer.push({ type: 'error', error: { code: 'upstream_overloaded', message: 'Overloaded', retryable: true } })).toEqual([
      { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
    ]);
    expect(renderer.push({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } })).toEqual([]);
  });

  it('is accumulated by the official SDK into the same message, usage included', async () => {
    const stream = client(toSse(renderAll(mixedParts))).messages.stream({ model: 'c', max_tokens: 100, messages: [{ role: 'user', content: 'Weather?' }] });
    const message = await stream.finalMessage();
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { location: 'Paris' } },
      { type: 'tool_use', id: 'call_b', name: 'get_time', input: {} },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toEqual({ input_tokens: 100, output_tokens: 42, cache_read_input_tokens: 200 });
  });

  it('renders a stop sequence and cache writes in message_delta, as the SDK accumulates them', async () => {
    const parts: StreamPart[] = [
      { type: 'text-delta', text: 'One, two' },
      {
        type: 'finish',
        finishReason: 'stop',
        stopSequence: ', three',
        usage: { inputTokens: 2300, outputTokens: 3, cachedInputTokens: 2048, cacheWriteInputTokens: 188 },
      },
    ];
    const events = renderAll(parts);
    expect(events.find((event) => event.event === 'message_delta')).toEqual({
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: 'stop_sequence', stop_sequence: ', three' },
        usage: { input_tokens: 64, output_tokens: 3, cache_read_input_tokens: 2048, cache_creation_input_tokens: 188 },
      },
    });
    const message = await client(toSse(events))
      .messages.stream({ model: 'c', max_tokens: 100, messages: [{ role: 'user', content: 'Count' }] })
      .finalMessage();
    expect(message.stop_reason).toBe('stop_sequence');
    expect(message.stop_sequence).toBe(', three');
    expect(message.usage).toEqual({ input_tokens: 64, output_tokens: 3, cache_read_input_tokens: 2048, cache_creation_input_tokens: 188 });
  });

  it('gives the SDK finalText() for text and for an empty answer', async () => {
    const text = renderAll([
      { type: 'text-delta', text: 'Bonjour' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 1 } },
    ]);
    expect(
      await client(toSse(text))
        .messages.stream({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
        .finalText(),
    ).toBe('Bonjour');
    const empty = renderAll([{ type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 0 } }]);
    expect(
      await client(toSse(empty))
        .messages.stream({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
        .finalText(),
    ).toBe('');
  });

  it('makes the official SDK reject with the error message', async () => {
    const renderer = createAnthropicStreamRenderer(meta);
    const events = [
      ...renderer.push({ type: 'text-delta', text: 'Hi' }),
      ...renderer.push({ type: 'error', error: { code: 'upstream_overloaded', message: 'Overloaded' } }),
    ];
    const stream = client(toSse(events)).messages.stream({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    await expect(stream.finalMessage()).rejects.toThrow(/Overloaded/);
  });
});
