import { GatewayError, ProviderError, type ChatRequest, type StreamPart } from '@switchyard/core';
import { expectedMockAnswer, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { MockAgent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, providerConfig, signal } from '../__fixtures__/provider-config.ts';
import { createProvider } from '../registry.ts';
import type { ProviderAdapter } from '../types.ts';

const apiKey = 'sk-test-0123456789abcdef';
const question: ChatRequest = {
  model: 'gpt-4o',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] },
  ],
};
const expected = expectedMockAnswer(['Be brief.', 'What is the capital of France?'], 'What is the capital of France?');
const weatherTool = { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

describe('openai-compatible adapter', () => {
  let upstream: MockUpstream;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    upstream = await startMockOpenAIUpstream({ apiKey });
    adapter = createProvider(
      providerConfig({ name: 'openai', kind: 'openai-compatible', baseUrl: upstream.url, apiKey, headers: { 'openai-organization': 'org-test' } }),
    );
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());

  it('generates text with usage, sending the key, headers and the preset max-tokens field', async () => {
    const response = await adapter.generate({ ...question, maxTokens: 100 }, { signal: signal() });
    expect(response.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(response.finishReason).toBe('stop');
    expect(response.usage).toMatchObject({ inputTokens: expected.inputTokens, outputTokens: expected.outputTokens });
    expect(response.model).toBe('gpt-4o');
    const [recorded] = upstream.requests;
    expect(recorded?.path).toBe('/v1/chat/completions');
    expect(recorded?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(recorded?.headers['openai-organization']).toBe('org-test');
    expect(recorded?.body).toMatchObject({ model: 'gpt-4o', max_completion_tokens: 100, stream: false });
  });

  it('returns a forced tool call', async () => {
    upstream.behave('*', { toolArguments: '{"city": "Paris"}' });
    const response = await adapter.generate({ ...question, tools: [weatherTool], toolChoice: { type: 'tool', name: 'get_weather' } }, { signal: signal() });
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([{ id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"city": "Paris"}' }]);
  });

  it('streams one delta per word and finishes with upstream usage', async () => {
    const parts = await collect(adapter.stream(question, { signal: signal() }));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : []));
    expect(text.join('')).toBe(expected.text);
    expect(text).toHaveLength(expected.outputTokens);
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: expected.inputTokens, outputTokens: expected.outputTokens },
    });
    expect(parts.at(-1)).not.toHaveProperty('usage.estimated');
    expect(upstream.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('streams tool calls', async () => {
    upstream.behave('*', { toolArguments: '{"city": "Paris"}' });
    const parts = await collect(adapter.stream({ ...question, tools: [weatherTool], toolChoice: 'required' }, { signal: signal() }));
    expect(parts[0]).toMatchObject({ type: 'tool-call-start', index: 0, name: 'get_weather' });
    const argumentsText = parts.flatMap((part) => (part.type === 'tool-call-delta' ? [part.argumentsDelta] : [])).join('');
    expect(argumentsText).toBe('{"city": "Paris"}');
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('flags usage as estimated when the upstream reports none', async () => {
    upstream.behave('*', { omitUsage: true });
    const parts = await collect(adapter.stream(question, { signal: signal() }));
    expect(parts.at(-1)).toMatchObject({ type: 'finish', usage: { estimated: true } });
  });

  it('embeds and completes', async () => {
    const embeddings = await adapter.embed!({ model: 'text-embedding-3-small', input: ['a', 'bb'], dimensions: 4 }, { signal: signal() });
    expect(embeddings.embeddings).toHaveLength(2);
    expect(embeddings.embeddings[0]).toHaveLength(4);
    expect(embeddings.usage.inputTokens).toBe(2);
    const completion = await adapter.complete!({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' }, { signal: signal() });
    expect(completion.text).toBe('echo: Say hi');
    expect(completion.usage).toMatchObject({ inputTokens: 2, outputTokens: 3 });
  });

  describe('error mapping', () => {
    it.each([
      [400, 'invalid_request', 400, false],
      [404, 'upstream_error', 502, false],
      [408, 'upstream_timeout', 504, true],
      [409, 'upstream_error', 502, true],
      [413, 'invalid_request', 400, false],
      [422, 'invalid_request', 400, false],
      [500, 'upstream_error', 502, true],
      [503, 'upstream_overloaded', 503, true],
    ])('maps upstream %i to %s', async (upstreamStatus, code, status, retryable) => {
      upstream.behave('*', { status: upstreamStatus, errorMessage: 'upstream says no' });
      const error = await adapter.generate(question, { signal: signal() }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code, status, retryable, upstreamStatus, provider: 'openai', detail: 'upstream says no' });
      expect((error as Error).message).not.toContain('upstream says no');
    });

    it('maps 429 with retry-after seconds and retry-after-ms', async () => {
      upstream.behave('*', { status: 429, retryAfterSeconds: 3 });
      await expect(adapter.generate(question, { signal: signal() })).rejects.toMatchObject({
        code: 'upstream_rate_limited',
        status: 429,
        retryable: true,
        retryAfterMs: 3000,
      });
      upstream.behave('*', { status: 429, retryAfterSeconds: 3, retryAfterMs: 250 });
      await expect(adapter.generate(question, { signal: signal() })).rejects.toMatchObject({ retryAfterMs: 250 });
    });

    it('fails the same way before a stream starts', async () => {
      upstream.behave('*', { status: 429, retryAfterSeconds: 1 });
      await expect(collect(adapter.stream(question, { signal: signal() }))).rejects.toMatchObject({ code: 'upstream_rate_limited', retryAfterMs: 1000 });
    });

    it('never lets the API key reach an error, even when the upstream echoes it', async () => {
      const wrongKey = 'sk-wrong-key-that-is-secret-42';
      const wrong = createProvider(providerConfig({ name: 'openai', kind: 'openai-compatible', baseUrl: upstream.url, apiKey: wrongKey }));
      const error = (await wrong.generate(question, { signal: signal() }).catch((caught: unknown) => caught)) as ProviderError;
      expect(error).toMatchObject({ code: 'upstream_error', status: 502, retryable: false, upstreamStatus: 401 });
      expect(error.message).toBe("openai rejected the gateway's credentials");
      expect(error.detail).toContain('Incorrect API key provided: [redacted]');
      expect(`${error.message} ${error.detail} ${JSON.stringify(error.toBody())}`).not.toContain(wrongKey);
    });

    it('maps a refused connection to upstream_unreachable', async () => {
      const closed = await startMockOpenAIUpstream();
      const url = closed.url;
      await closed.close();
      const unreachable = createProvider(providerConfig({ name: 'openai', kind: 'openai-compatible', baseUrl: url, apiKey }));
      await expect(unreachable.generate(question, { signal: signal() })).rejects.toMatchObject({ code: 'upstream_unreachable', retryable: true, status: 502 });
    });

    it('maps our timeout to upstream_timeout', async () => {
      upstream.behave('*', { stall: true });
      const impatient = createProvider(providerConfig({ name: 'openai', kind: 'openai-compatible', baseUrl: upstream.url, apiKey, timeoutMs: 100 }));
      await expect(impatient.generate(question, { signal: signal() })).rejects.toMatchObject({ code: 'upstream_timeout', retryable: true, status: 504 });
      await expect(collect(impatient.stream(question, { signal: signal() }))).rejects.toMatchObject({ code: 'upstream_timeout' });
    });

    it('maps a garbage 200 to a non-retryable upstream_error', async () => {
      upstream.behave('*', { garbage: true });
      await expect(adapter.generate(question, { signal: signal() })).rejects.toMatchObject({
        code: 'upstream_error',
        status: 502,
        retryable: false,
        upstreamStatus: 200,
      });
      const parts = await collect(adapter.stream(question, { signal: signal() }));
      expect(parts[0]).toMatchObject({ type: 'error', error: { code: 'upstream_error' } });
    });

    it('ends a stream cut mid-way with a retryable error part', async () => {
      upstream.behave('*', { failAfterTokens: 2 });
      const parts = await collect(adapter.stream(question, { signal: signal() }));
      expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(2);
      expect(parts.at(-1)).toMatchObject({ type: 'error', error: { code: 'upstream_error', retryable: true } });
      expect(parts.some((part) => part.type === 'finish')).toBe(false);
    });
  });

  describe('cancellation', () => {
    it('aborts the upstream request when the consumer stops reading', async () => {
      upstream.behave('*', { tokenDelayMs: 30, text: 'one two three four five six seven eight' });
      const received: StreamPart[] = [];
      for await (const part of adapter.stream(question, { signal: signal() })) {
        received.push(part);
        if (received.length === 2) break;
      }
      await expect.poll(() => upstream.abortedRequests).toBe(1);
    });

    it('throws cancelled and closes the connection when the caller aborts mid-stream', async () => {
      upstream.behave('*', { tokenDelayMs: 30, text: 'one two three four five six seven eight' });
      const controller = new AbortController();
      const consume = async () => {
        for await (const part of adapter.stream(question, { signal: controller.signal })) {
          if (part.type === 'text-delta') controller.abort();
        }
      };
      const error = await consume().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).not.toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'cancelled', message: 'request cancelled' });
      await expect.poll(() => upstream.abortedRequests).toBe(1);
    });

    it('throws cancelled for a generate aborted while waiting', async () => {
      upstream.behave('*', { latencyMs: 5_000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      await expect(adapter.generate(question, { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
      await expect.poll(() => upstream.abortedRequests).toBe(1);
    });
  });
});

describe('openai-compatible presets', () => {
  let upstream: MockUpstream;
  beforeAll(async () => {
    upstream = await startMockOpenAIUpstream();
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());

  it('uses max_tokens and no auth header for a keyless self-hosted server', async () => {
    const vllm = createProvider(providerConfig({ name: 'vllm', kind: 'openai-compatible', baseUrl: upstream.url }));
    await vllm.generate({ ...question, maxTokens: 50 }, { signal: signal() });
    expect(upstream.requests[0]?.headers.authorization).toBeUndefined();
    expect(upstream.requests[0]?.body).toMatchObject({ max_tokens: 50 });
  });

  it('refuses tools for perplexity, and offers no embeddings', async () => {
    const perplexity = createProvider(providerConfig({ name: 'perplexity', kind: 'openai-compatible', baseUrl: upstream.url, apiKey: 'pplx-key-1234567' }));
    await expect(perplexity.generate({ ...question, tools: [weatherTool] }, { signal: signal() })).rejects.toMatchObject({
      code: 'unsupported_parameter',
      param: 'tools',
    });
    expect(upstream.requests).toHaveLength(0);
    await perplexity.generate({ ...question, tools: [weatherTool], toolChoice: 'none' }, { signal: signal() });
    expect(upstream.requests[0]?.body).not.toHaveProperty('tools');
    expect(perplexity.embed).toBeUndefined();
  });

  it('takes a preset and overrides from options', async () => {
    const custom = createProvider(
      providerConfig({ name: 'my-gateway', kind: 'openai-compatible', baseUrl: upstream.url, options: { preset: 'openai', embeddings: false } }),
    );
    await custom.generate({ ...question, maxTokens: 5 }, { signal: signal() });
    expect(upstream.requests[0]?.body).toMatchObject({ max_completion_tokens: 5 });
    expect(custom.embed).toBeUndefined();
    expect(() => createProvider(providerConfig({ name: 'x', kind: 'openai-compatible', baseUrl: upstream.url, options: { preset: 'nope' } }))).toThrow(
      /unknown preset/,
    );
  });
});

describe('openai-compatible with an injected dispatcher', () => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  afterAll(() => agent.close());

  it('sends every request through it', async () => {
    const completion = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 },
    };
    agent
      .get('https://api.openai.test')
      .intercept({ path: '/v1/chat/completions', method: 'POST', headers: { authorization: `Bearer ${apiKey}` } })
      .reply(200, completion);
    const intercepted = createProvider(providerConfig({ name: 'openai', kind: 'openai-compatible', baseUrl: 'https://api.openai.test/v1', apiKey }), {
      dispatcher: agent,
    });
    const response = await intercepted.generate(question, { signal: signal() });
    expect(response.content).toEqual([{ type: 'text', text: 'Paris.' }]);
    expect(response.usage).toMatchObject({ inputTokens: 12, outputTokens: 2 });
    agent.assertNoPendingInterceptors();
  });
});
