import { GatewayError, ProviderError, type ChatRequest } from '@switchyard/core';
import { expectedMockAnswer, startMockAnthropicUpstream, type MockUpstream } from '@switchyard/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, providerConfig, signal } from '../__fixtures__/provider-config.ts';
import { createProvider } from '../registry.ts';
import type { ProviderAdapter } from '../types.ts';

const apiKey = 'sk-ant-api03-test-key-0123456789';
const request: ChatRequest = {
  model: 'claude-sonnet-4-5-20250929',
  messages: [
    { role: 'system', content: 'You are helpful.' },
    { role: 'user', content: [{ type: 'text', text: 'Name three colours' }] },
  ],
};
const expected = expectedMockAnswer(['You are helpful.', 'Name three colours'], 'Name three colours');
const tools = [{ name: 'lookup', description: 'Look something up', parameters: { type: 'object', properties: { term: { type: 'string' } } } }];

describe('anthropic adapter', () => {
  let upstream: MockUpstream;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    upstream = await startMockAnthropicUpstream({ apiKey });
    adapter = createProvider(providerConfig({ name: 'anthropic', kind: 'anthropic', baseUrl: upstream.url, apiKey }));
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());

  it('generates text with x-api-key, anthropic-version and a default max_tokens', async () => {
    const response = await adapter.generate(request, { signal: signal() });
    expect(response.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(response).toMatchObject({ finishReason: 'stop', usage: { inputTokens: expected.inputTokens, outputTokens: expected.outputTokens } });
    const [recorded] = upstream.requests;
    expect(recorded?.path).toBe('/v1/messages');
    expect(recorded?.headers['x-api-key']).toBe(apiKey);
    expect(recorded?.headers['anthropic-version']).toBe('2023-06-01');
    expect(recorded?.headers.authorization).toBeUndefined();
    expect(recorded?.body).toMatchObject({ max_tokens: 4096, system: 'You are helpful.' });
  });

  it('honours apiVersion and options.defaultMaxTokens', async () => {
    const custom = createProvider(
      providerConfig({ name: 'anthropic', kind: 'anthropic', baseUrl: upstream.url, apiKey, apiVersion: '2024-01-01', options: { defaultMaxTokens: 2 } }),
    );
    const response = await custom.generate(request, { signal: signal() });
    expect(response).toMatchObject({ finishReason: 'length', usage: { outputTokens: 2 } });
    expect(upstream.requests[0]?.headers['anthropic-version']).toBe('2024-01-01');
  });

  it('returns a forced tool_use as a tool call', async () => {
    upstream.behave('*', { toolArguments: '{"term": "blue"}' });
    const response = await adapter.generate({ ...request, tools, toolChoice: 'required' }, { signal: signal() });
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([{ id: expect.stringMatching(/^toolu_/), name: 'lookup', arguments: '{"term":"blue"}' }]);
  });

  it('streams the event sequence into deltas and a finish with usage', async () => {
    upstream.behave('*', { usage: { input: 40, output: 5, cached: 30 } });
    const parts = await collect(adapter.stream(request, { signal: signal() }));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : []));
    expect(text).toEqual(['echo:', ' Name', ' three', ' colours']);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 40, outputTokens: 5, cachedInputTokens: 30 } });
    expect(upstream.requests[0]?.body).toMatchObject({ stream: true });
  });

  it('streams tool calls', async () => {
    upstream.behave('*', { toolArguments: '{"term": "blue"}' });
    const parts = await collect(adapter.stream({ ...request, tools, toolChoice: { type: 'tool', name: 'lookup' } }, { signal: signal() }));
    expect(parts[0]).toMatchObject({ type: 'tool-call-start', index: 0, name: 'lookup' });
    expect(parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part.argumentsDelta] : [])).join('')).toBe('{"term": "blue"}');
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  describe('errors', () => {
    it('maps 529 overloaded_error to a retryable upstream_overloaded', async () => {
      upstream.behave('*', { status: 529 });
      const error = await adapter.generate(request, { signal: signal() }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'upstream_overloaded', status: 503, retryable: true, upstreamStatus: 529, detail: 'Overloaded' });
    });

    it('maps 429 with retry-after', async () => {
      upstream.behave('*', { status: 429, retryAfterSeconds: 12, errorMessage: 'Number of request tokens has exceeded your per-minute rate limit' });
      await expect(adapter.generate(request, { signal: signal() })).rejects.toMatchObject({
        code: 'upstream_rate_limited',
        retryable: true,
        retryAfterMs: 12_000,
      });
    });

    it.each([
      [400, 'invalid_request', false],
      [403, 'upstream_error', false],
      [404, 'upstream_error', false],
      [500, 'upstream_error', true],
    ])('maps %i to %s', async (status, code, retryable) => {
      upstream.behave('*', { status });
      await expect(adapter.generate(request, { signal: signal() })).rejects.toMatchObject({ code, retryable, upstreamStatus: status });
    });

    it('turns an in-stream error event into a retryable error part', async () => {
      upstream.behave('*', { failAfterTokens: 2 });
      const parts = await collect(adapter.stream(request, { signal: signal() }));
      expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(2);
      expect(parts.at(-1)).toEqual({ type: 'error', error: { code: 'upstream_overloaded', message: 'Overloaded', retryable: true } });
    });

    it('never exposes the key the upstream echoes back', async () => {
      const wrongKey = 'sk-ant-api03-wrong-key-abcdefghij';
      const wrong = createProvider(providerConfig({ name: 'anthropic', kind: 'anthropic', baseUrl: upstream.url, apiKey: wrongKey }));
      const error = (await wrong.generate(request, { signal: signal() }).catch((caught: unknown) => caught)) as ProviderError;
      expect(error).toMatchObject({ code: 'upstream_error', upstreamStatus: 401, retryable: false });
      expect(error.detail).toBe('invalid x-api-key: [redacted]');
      expect(`${error.message} ${error.detail}`).not.toContain(wrongKey);
    });

    it('maps a garbage body to upstream_error', async () => {
      upstream.behave('*', { garbage: true });
      await expect(adapter.generate(request, { signal: signal() })).rejects.toMatchObject({ code: 'upstream_error', retryable: false });
    });
  });

  it('aborts the upstream stream when the caller aborts', async () => {
    upstream.behave('*', { tokenDelayMs: 30, text: 'a b c d e f g h i j' });
    const controller = new AbortController();
    const error = await (async () => {
      for await (const part of adapter.stream(request, { signal: controller.signal })) if (part.type === 'text-delta') controller.abort();
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'cancelled' });
    await expect.poll(() => upstream.abortedRequests).toBe(1);
  });

  it('has no embeddings or completions', () => {
    expect(adapter.embed).toBeUndefined();
    expect(adapter.complete).toBeUndefined();
  });
});
