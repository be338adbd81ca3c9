import type { StreamPart } from '@switchyard/core';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { sseFetch } from '../__fixtures__/sse.ts';
import { createOpenAIStreamRenderer } from './stream-renderer.ts';

const meta = { id: 'chatcmpl-sy_01', created: 1747220611, model: 'gpt-4o-mini' };
const head = { id: 'chatcmpl-sy_01', object: 'chat.completion.chunk', created: 1747220611, model: 'gpt-4o-mini', system_fingerprint: null };

const textParts: StreamPart[] = [
  { type: 'text-delta', text: 'Hello' },
  { type: 'text-delta', text: '' },
  { type: 'text-delta', text: ' world' },
  { type: 'finish', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 2, cachedInputTokens: 4 } },
];

const toolParts: StreamPart[] = [
  { type: 'text-delta', text: 'Let me check.' },
  { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
  { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
  { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 30, outputTokens: 20 } },
];

function renderAll(parts: StreamPart[], includeUsage: boolean): Record<string, unknown>[] {
  const renderer = createOpenAIStreamRenderer({ ...meta, includeUsage });
  return parts.flatMap((part) => renderer.push(part));
}

function toSse(chunks: Record<string, unknown>[]): string {
  return `${chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('')}data: [DONE]\n\n`;
}

function client(body: string): OpenAI {
  return new OpenAI({ apiKey: 'sk-test', baseURL: 'http://switchyard.test/v1', fetch: sseFetch(body), maxRetries: 0 });
}

describe('createOpenAIStreamRenderer', () => {
  it('renders the OpenAI chunk sequence with usage: null and a final usage chunk', () => {
    expect(renderAll(textParts, true)).toEqual([
      { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], usage: null },
      { ...head, choices: [{ index: 0, delta: { content: 'Hello' }, logprobs: null, finish_reason: null }], usage: null },
      { ...head, choices: [{ index: 0, delta: { content: ' world' }, logprobs: null, finish_reason: null }], usage: null },
      { ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null },
      { ...head, choices: [], usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14, prompt_tokens_details: { cached_tokens: 4 } } },
    ]);
  });

  it('leaves usage out entirely when it was not asked for', () => {
    const chunks = renderAll(textParts, false);
    expect(chunks).toHaveLength(4);
    for (const chunk of chunks) expect(chunk).not.toHaveProperty('usage');
    expect(chunks.at(-1)).toEqual({ ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] });
  });

  it('opens a tool-only answer with role, null content and the first tool call, like OpenAI', () => {
    const chunks = renderAll(
      [
        { type: 'tool-call-start', index: 0, id: 'call_a', name: 'f' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
      ],
      false,
    );
    expect(chunks).toEqual([
      {
        ...head,
        choices: [
          {
            index: 0,
            delta: {
              role: 'assistant',
              content: null,
              tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }],
              refusal: null,
            },
            logprobs: null,
            finish_reason: null,
          },
        ],
      },
      { ...head, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] }, logprobs: null, finish_reason: null }] },
    ]);
  });

  it('renders an error part as an error object and ignores anything after it', () => {
    const renderer = createOpenAIStreamRenderer({ ...meta, includeUsage: true });
    expect(renderer.push({ type: 'text-delta', text: 'Hi' })).toHaveLength(2);
    expect(renderer.push({ type: 'error', error: { code: 'upstream_overloaded', message: 'provider overloaded', retryable: true } })).toEqual([
      { error: { message: 'provider overloaded', type: 'overloaded', code: 'upstream_overloaded' } },
    ]);
    expect(renderer.push({ type: 'text-delta', text: 'late' })).toEqual([]);
    expect(renderer.push({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } })).toEqual([]);
  });

  it('falls back to api_error for an error code it does not know', () => {
    const renderer = createOpenAIStreamRenderer({ ...meta, includeUsage: false });
    expect(renderer.push({ type: 'error', error: { code: 'something_new', message: 'boom' } })).toEqual([
      { error: { message: 'boom', type: 'api_error', code: 'something_new' } },
    ]);
  });

  it('produces a valid stream for a finish with no content', () => {
    const chunks = renderAll([{ type: 'finish', finishReason: 'length', usage: { inputTokens: 3, outputTokens: 0 } }], false);
    expect(chunks.map((chunk) => (chunk.choices as Array<{ finish_reason: unknown }>)[0]?.finish_reason)).toEqual([null, 'length']);
  });

  it('is accumulated by the official SDK into the same text and usage', async () => {
    const stream = client(toSse(renderAll(textParts, true))).chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    stream.on('content', (delta) => deltas.push(delta));
    const completion = await stream.finalChatCompletion();
    expect(deltas).toEqual(['Hello', ' world']);
    expect(completion.id).toBe('chatcmpl-sy_01');
    expect(completion.choices[0]?.message.content).toBe('Hello world');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14, prompt_tokens_details: { cached_tokens: 4 } });
  });

  it('is accumulated by the official SDK into the same tool calls', async () => {
    const stream = client(toSse(renderAll(toolParts, true))).chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ],
    });
    const done: string[] = [];
    stream.on('tool_calls.function.arguments.done', (event) => done.push(`${event.name}:${event.arguments}`));
    const completion = await stream.finalChatCompletion();
    const message = completion.choices[0]?.message;
    expect(message?.content).toBe('Let me check.');
    expect(message?.tool_calls).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
    expect(done).toEqual(['get_weather:{"location":"Paris"}', 'get_time:{}']);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.usage?.completion_tokens).toBe(20);
  });

  it('makes the official SDK reject with the error message', async () => {
    const renderer = createOpenAIStreamRenderer({ ...meta, includeUsage: false });
    const chunks = [
      ...renderer.push({ type: 'text-delta', text: 'Hi' }),
      ...renderer.push({ type: 'error', error: { code: 'upstream_error', message: 'upstream failed' } }),
    ];
    const stream = client(toSse(chunks)).chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await expect(stream.finalChatCompletion()).rejects.toThrow(/upstream failed/);
  });
});
