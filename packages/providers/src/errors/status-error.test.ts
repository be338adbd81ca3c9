import { GatewayError, ProviderError } from '@switchyard/core';
import { MockAgent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { errorFromResponse, providerErrorForStatus } from './status-error.ts';

const context = { provider: 'acme', secrets: ['acme-secret-key'] };

describe('providerErrorForStatus', () => {
  it.each([
    [400, 'invalid_request', 400, false],
    [413, 'invalid_request', 400, false],
    [422, 'invalid_request', 400, false],
    [401, 'upstream_error', 502, false],
    [403, 'upstream_error', 502, false],
    [404, 'upstream_error', 502, false],
    [408, 'upstream_timeout', 504, true],
    [409, 'upstream_error', 502, true],
    [429, 'upstream_rate_limited', 429, true],
    [500, 'upstream_error', 502, true],
    [502, 'upstream_error', 502, true],
    [503, 'upstream_overloaded', 503, true],
    [529, 'upstream_overloaded', 503, true],
    [402, 'upstream_error', 502, false],
  ])('maps %i to %s', (upstreamStatus, code, status, retryable) => {
    const error = providerErrorForStatus(upstreamStatus, context);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code, status, retryable, upstreamStatus, provider: 'acme' });
  });

  it('treats an overloaded_error body as overloaded whatever the status', () => {
    expect(providerErrorForStatus(500, context, { type: 'overloaded_error' }).code).toBe('upstream_overloaded');
  });

  it('tells a context-length refusal apart (OpenAI code, Anthropic message)', () => {
    const openai = providerErrorForStatus(400, context, { type: 'invalid_request_error', code: 'context_length_exceeded', message: 'too long' });
    expect(openai).toMatchObject({ code: 'context_length_exceeded', status: 400, type: 'invalid_request_error', retryable: false });
    expect(openai.toBody().message).toContain('too long');
    const anthropic = providerErrorForStatus(400, context, { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' });
    expect(anthropic.code).toBe('context_length_exceeded');
    expect(providerErrorForStatus(400, context, { type: 'invalid_request_error', message: 'bad field' }).code).toBe('invalid_request');
  });

  it('says the credentials were rejected', () => {
    expect(providerErrorForStatus(401, context).message).toBe("acme rejected the gateway's credentials");
  });
});

describe('errorFromResponse', () => {
  const agent = new MockAgent();
  agent.disableNetConnect();
  afterAll(() => agent.close());

  /** A real undici answer with this status, body and headers. */
  function answer(status: number, body: string, headers: Record<string, string> = {}) {
    agent.get('http://upstream.test').intercept({ path: '/', method: 'POST' }).reply(status, body, { headers });
    return request('http://upstream.test/', { method: 'POST', dispatcher: agent });
  }

  it('keeps the safe upstream message as detail, never in the message', async () => {
    const response = await answer(429, JSON.stringify({ error: { message: 'bad key acme-secret-key', type: 'invalid_request_error' } }), {
      'Retry-After': '7',
    });
    const error = await errorFromResponse(response, context);
    expect(error.detail).toBe('bad key [redacted]');
    expect(error.message).toBe('acme is rate limiting the gateway');
    expect(error.retryAfterMs).toBe(7000);
    expect(error).toBeInstanceOf(GatewayError);
  });

  it('reads Anthropic and Ollama envelopes and plain text', async () => {
    const anthropic = await errorFromResponse(await answer(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'), context);
    expect(anthropic).toMatchObject({ code: 'upstream_overloaded', detail: 'Overloaded' });
    const tooLong = await errorFromResponse(
      await answer(400, '{"error":{"message":"maximum context length is 8192 tokens","type":"invalid_request_error","code":"context_length_exceeded"}}'),
      context,
    );
    expect(tooLong.code).toBe('context_length_exceeded');
    const ollama = await errorFromResponse(await answer(404, '{"error":"model \\"x\\" not found"}'), context);
    expect(ollama.detail).toBe('model "x" not found');
    const text = await errorFromResponse(await answer(502, '<html>Bad Gateway</html>'), context);
    expect(text.detail).toBe('<html>Bad Gateway</html>');
  });
});
