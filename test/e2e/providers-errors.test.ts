// Upstream errors mapped once to our taxonomy and shown in the client's envelope: status,
// retryable or not, and never the provider's key or raw text.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedMockAnswer } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const openAIKey = 'sk-openai-upstream-secret-0123456789';
const anthropicKey = 'sk-ant-upstream-secret-0123456789';
// Keys the upstreams refuse and echo back in their 401 text, as OpenAI and Anthropic do.
const wrongXaiKey = 'xai-revoked-credential-9f8e7d6c5b4a';
const wrongAnthropicKey = 'ant-revoked-credential-1a2b3c4d5e6f';

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: openAIKey }, anthropic: { kind: 'anthropic', apiKey: anthropicKey } },
  overrides: (upstreams) => ({
    providers: {
      openai: { apiKey: openAIKey, baseUrl: upstreams.openai.url, attempts: 2 },
      xai: { apiKey: wrongXaiKey, baseUrl: upstreams.openai.url, attempts: 2 },
      anthropic: { apiKey: wrongAnthropicKey, baseUrl: upstreams.anthropic.url, attempts: 2 },
    },
  }),
});
const openAIUpstream = gateway.upstreams.openai;
const anthropicUpstream = gateway.upstreams.anthropic;
const openai = gateway.openai;
const anthropic = gateway.anthropic;

afterEach(() => gateway.resetUpstreams());

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

async function rawPost(path: string, body: unknown) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.apiKey}` },
    body: JSON.stringify(body),
  });
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  return { status: response.status, text: await response.text(), headers };
}

describe('upstream errors', () => {
  it('maps an upstream 400 to our 400 invalid_request_error, without retrying', async () => {
    openAIUpstream.behave('gpt-4o', { status: 400, errorMessage: "Invalid 'messages[0].content': string too long." });
    const failure = await failureOf(openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect(failure).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect((failure as Error).message).toContain('openai rejected the request as invalid');
    // The provider's own words tell the client what to fix.
    expect((failure as Error).message).toContain("Invalid 'messages[0].content': string too long.");
    expect(openAIUpstream.requests).toHaveLength(1);
  });

  it('maps an upstream 400 to BadRequestError on /v1/messages', async () => {
    openAIUpstream.behave('gpt-4o', { status: 400, errorMessage: 'bad request' });
    const failure = await failureOf(anthropic.messages.create({ model: 'gpt-4o', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }));
    expect(failure).toBeInstanceOf(Anthropic.BadRequestError);
    expect(failure).toMatchObject({ status: 400, type: 'invalid_request_error' });
  });

  it('maps an upstream 401 that echoes our key to a 502 with no trace of the key, in both envelopes', async () => {
    const chat = await rawPost('/v1/chat/completions', { model: 'grok-3', messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.status).toBe(502);
    expect(JSON.parse(chat.text).error).toMatchObject({ type: 'upstream_error', code: 'upstream_error' });
    const messages = await rawPost('/v1/messages', { model: 'grok-3', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    expect(messages.status).toBe(502);
    expect(JSON.parse(messages.text)).toMatchObject({ type: 'error', error: { type: 'api_error' } });

    // The upstream did echo the key; none of it reaches the client. Credentials are not retried.
    expect(openAIUpstream.requests).toHaveLength(2);
    for (const answer of [chat, messages]) {
      expect(answer.text).not.toContain(wrongXaiKey);
      expect(answer.text).not.toContain('Incorrect API key');
      expect(answer.headers).not.toContain(wrongXaiKey);
    }
  });

  it('maps the Anthropic upstream refusing our key to a 502 api_error without the key', async () => {
    const failure = await failureOf(anthropic.messages.create({ model: 'claude-3-5-haiku', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }));
    expect(failure).toBeInstanceOf(Anthropic.InternalServerError);
    expect(failure).toMatchObject({ status: 502, type: 'api_error' });
    expect(JSON.stringify((failure as { error: unknown }).error)).not.toContain(wrongAnthropicKey);
    expect((failure as Error).message).not.toContain(wrongAnthropicKey);
    expect(anthropicUpstream.requests).toHaveLength(1);
    expect(anthropicUpstream.requests[0]!.headers['x-api-key']).toBe(wrongAnthropicKey);
  });

  it('retries a retryable upstream 500 and answers 502 upstream_error when the attempts run out', async () => {
    openAIUpstream.behave('gpt-4o', { status: 500, errorMessage: 'The server had an error while processing your request.' });
    const failure = await failureOf(openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
    expect(failure).toMatchObject({ status: 502, type: 'upstream_error' });
    expect(openAIUpstream.requests).toHaveLength(2);
  });

  it('recovers when a retry succeeds, honouring the upstream retry-after', async () => {
    openAIUpstream.behave('gpt-4o', { status: 429, retryAfterMs: 20, failTimes: 1 });
    const { data: completion, response } = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'try again' }] })
      .withResponse();
    expect(completion.choices[0]!.message.content).toBe(expectedMockAnswer(['try again'], 'try again').text);
    // A 429 with advice pauses the provider's queue instead of spending an attempt.
    expect(response.headers.get('x-switchyard-attempts')).toBe('1');
    expect(openAIUpstream.requests).toHaveLength(2);
  });

  it('answers 502 for a 200 the gateway cannot read', async () => {
    openAIUpstream.behave('gpt-4o', { garbage: true });
    const failure = await failureOf(openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
    expect(failure).toMatchObject({ status: 502, type: 'upstream_error' });
    expect((failure as Error).message).toContain('could not read');
  });
});
