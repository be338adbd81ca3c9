import { GatewayError, ProviderError, type ChatRequest } from '@switchyard/core';
import { expectedMockAnswer, startMockOllamaUpstream, type MockUpstream } from '@switchyard/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, providerConfig, signal } from '../__fixtures__/provider-config.ts';
import { createProvider } from '../registry.ts';
import type { ProviderAdapter } from '../types.ts';

const request: ChatRequest = { model: 'llama3.2', messages: [{ role: 'user', content: [{ type: 'text', text: 'Why is the sky blue?' }] }] };
const expected = expectedMockAnswer(['Why is the sky blue?'], 'Why is the sky blue?');
const tools = [{ name: 'search', parameters: { type: 'object' } }];

describe('ollama adapter', () => {
  let upstream: MockUpstream;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    upstream = await startMockOllamaUpstream();
    adapter = createProvider(providerConfig({ name: 'ollama', kind: 'ollama', baseUrl: upstream.url }));
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());

  it('generates through /api/chat with usage from the eval counts', async () => {
    const response = await adapter.generate(request, { signal: signal() });
    expect(response).toMatchObject({ model: 'llama3.2', content: [{ type: 'text', text: expected.text }], finishReason: 'stop' });
    expect(response.usage).toEqual({ inputTokens: expected.inputTokens, outputTokens: expected.outputTokens });
    expect(upstream.requests[0]).toMatchObject({ path: '/api/chat', body: { stream: false } });
    expect(upstream.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('maps done_reason length', async () => {
    const response = await adapter.generate({ ...request, maxTokens: 2 }, { signal: signal() });
    expect(response).toMatchObject({ finishReason: 'length', usage: { outputTokens: 2 } });
    expect(upstream.requests[0]?.body).toMatchObject({ options: { num_predict: 2 } });
  });

  it('turns tool calls into JSON text with generated ids, unique across calls', async () => {
    upstream.behave('*', { toolArguments: '{"query": "sky"}' });
    const response = await adapter.generate({ ...request, tools }, { signal: signal() });
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([{ id: expect.stringMatching(/^call_[0-9A-Za-z]{22}$/), name: 'search', arguments: '{"query":"sky"}' }]);
    // A later turn's call must not reuse the id: clients match results to calls by it.
    const later = await adapter.generate({ ...request, tools }, { signal: signal() });
    expect(later.toolCalls[0]!.id).not.toBe(response.toolCalls[0]!.id);
  });

  it('streams NDJSON into deltas and a finish with usage', async () => {
    const parts = await collect(adapter.stream(request, { signal: signal() }));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : []));
    expect(text.join('')).toBe(expected.text);
    expect(text).toHaveLength(expected.outputTokens);
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: expected.inputTokens, outputTokens: expected.outputTokens },
      model: 'llama3.2',
    });
  });

  it('streams tool calls', async () => {
    upstream.behave('*', { toolArguments: '{"query": "sky"}' });
    const parts = await collect(adapter.stream({ ...request, tools }, { signal: signal() }));
    expect(parts).toEqual([
      { type: 'tool-call-start', index: 0, id: expect.stringMatching(/^call_[0-9A-Za-z]{22}$/), name: 'search' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"query":"sky"}' },
      expect.objectContaining({ type: 'finish', finishReason: 'tool_calls' }),
    ]);
  });

  it('embeds through /api/embed', async () => {
    const response = await adapter.embed!({ model: 'nomic-embed-text', input: ['abcd', 'efgh'] }, { signal: signal() });
    expect(response.embeddings).toHaveLength(2);
    expect(response.usage).toEqual({ inputTokens: 2, outputTokens: 0 });
    expect(upstream.requests[0]?.path).toBe('/api/embed');
  });

  it('maps errors from the {error} envelope', async () => {
    upstream.behave('*', { status: 404, errorMessage: 'model "llama3.2" not found, try pulling it first' });
    const error = await adapter.generate(request, { signal: signal() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'upstream_error', retryable: false, upstreamStatus: 404, detail: 'model "llama3.2" not found, try pulling it first' });
    upstream.behave('*', { status: 503, retryAfterSeconds: 1 });
    await expect(collect(adapter.stream(request, { signal: signal() }))).rejects.toMatchObject({
      code: 'upstream_overloaded',
      retryable: true,
      retryAfterMs: 1000,
    });
  });

  it('turns a mid-stream error line into an error part', async () => {
    upstream.behave('*', { failAfterTokens: 1, errorMessage: 'out of memory' });
    const parts = await collect(adapter.stream(request, { signal: signal() }));
    expect(parts).toEqual([
      { type: 'text-delta', text: 'echo:' },
      { type: 'error', error: { code: 'upstream_error', message: 'ollama: out of memory', retryable: true } },
    ]);
  });

  it('aborts the upstream stream when the consumer stops', async () => {
    upstream.behave('*', { tokenDelayMs: 30, text: 'a b c d e f g h' });
    for await (const part of adapter.stream(request, { signal: signal() })) if (part.type === 'text-delta') break;
    await expect.poll(() => upstream.abortedRequests).toBe(1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    upstream.behave('*', { latencyMs: 5_000 });
    const error = await adapter.generate(request, { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'cancelled' });
  });
});

describe('ollama through its OpenAI-compatible endpoint', () => {
  it('works as an openai-compatible preset', async () => {
    const upstream = await startMockOllamaUpstream();
    try {
      const adapter = createProvider(
        providerConfig({ name: 'ollama-v1', kind: 'openai-compatible', baseUrl: `${upstream.url}/v1`, options: { preset: 'ollama-openai' } }),
      );
      const parts = await collect(adapter.stream(request, { signal: signal() }));
      expect(parts.at(-1)).toMatchObject({ type: 'finish', usage: { outputTokens: expected.outputTokens } });
      expect(upstream.requests[0]?.path).toBe('/v1/chat/completions');
    } finally {
      await upstream.close();
    }
  });
});
