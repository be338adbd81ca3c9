// Seed-style config habits: static API keys in the config (bound to an existing org, by
// name or id), an extra header that carries the key, and provider headers that reach the
// upstream for OpenAI-compatible and Anthropic providers.
import Anthropic from '@anthropic-ai/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const staticKey = 'sk-static-ci-0123456789abcdef';
const orphanKey = 'sk-static-orphan-0123456789ab';
const byIdKey = 'sk-static-by-id-0123456789abc';

const baseOverrides = (urls: { openai: string; anthropic: string }) => ({
  auth: {
    apiKeyHeader: 'X-Goog-Api-Key',
    apiKeys: [
      { key: staticKey, org: 'static-org', name: 'ci' },
      { key: orphanKey, org: 'no-such-org', name: 'orphan' },
    ],
  },
  providers: {
    up: {
      kind: 'openai-compatible',
      apiKey: 'sk-up',
      baseUrl: urls.openai,
      headers: { 'x-team': 'search', 'x-both': 'from-headers' },
      customHeaders: { 'x-both': 'from-custom-headers', 'x-route': 'blue' },
      maxConnections: 2,
      keepAliveTimeoutMs: 10_000,
    },
    claude: { kind: 'anthropic', apiKey: 'sk-ant', baseUrl: urls.anthropic, customHeaders: { 'x-team': 'search' } },
  },
  models: { chat: { provider: 'up' }, 'claude-chat': { provider: 'claude', upstreamModel: 'claude-sonnet-4-5' } },
});

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai' }, anthropic: { kind: 'anthropic' } },
  overrides: (upstreams) => baseOverrides({ openai: upstreams.openai.url, anthropic: upstreams.anthropic.url }),
});

let staticOrg: { orgId: string; apiKey: string };

beforeAll(async () => {
  // The org a static key names must exist; the key finds it when it is first used.
  staticOrg = await gateway.createTenant('static-org');
});

async function chat(headers: Record<string, string>, model = 'chat') {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function usage(key: string, query = '') {
  const response = await fetch(`${gateway.url}/v1/usage${query}`, { headers: { authorization: `Bearer ${key}` } });
  return (await response.json()) as Record<string, any>;
}

describe('static API keys from the config', () => {
  it('authenticates a static key and records its usage on the org it names', async () => {
    const answer = await chat({ authorization: `Bearer ${staticKey}` });
    expect(answer.status).toBe(200);
    const report = await eventually('the ledger to record the static key’s request', async () => {
      const seen = await usage(staticOrg.apiKey, '?group_by=key');
      return seen.total_requests === 1 && seen;
    });
    expect(report.by_key).toEqual([expect.objectContaining({ key_id: 'static:ci', request_count: 1 })]);
    // The static key reads its own org's usage too, and the gateway's other org saw nothing.
    expect((await usage(staticKey)).total_requests).toBe(1);
    expect((await usage(gateway.apiKey)).total_requests).toBe(0);
  });

  it('answers 401 for a wrong key and for a static key whose org does not exist', async () => {
    const wrong = await chat({ authorization: 'Bearer sk-static-ci-0123456789abcdeX' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_api_key' });
    const orphan = await chat({ 'x-api-key': orphanKey });
    expect(orphan.status).toBe(401);
    expect(orphan.body.error).toMatchObject({ code: 'invalid_api_key' });
  });

  it('takes the key from auth.apiKeyHeader, static and database keys alike', async () => {
    expect((await chat({ 'x-goog-api-key': staticKey })).status).toBe(200);
    expect((await chat({ 'x-goog-api-key': gateway.apiKey })).status).toBe(200);
    expect((await chat({ 'x-goog-api-key': 'sk-nobody-0123456789abcdef' })).status).toBe(401);
    const missing = await chat({ 'x-other-header': staticKey });
    expect(missing.status).toBe(401);
    expect(missing.body.error.message).toContain('x-goog-api-key');
  });

  it('binds a static key by org id, taken up by a live reload', async () => {
    expect((await chat({ authorization: `Bearer ${byIdKey}` })).status).toBe(401);
    const overrides = baseOverrides({ openai: gateway.upstreams.openai.url, anthropic: gateway.upstreams.anthropic.url });
    overrides.auth.apiKeys.push({ key: byIdKey, org: staticOrg.orgId, name: 'by-id' });
    gateway.setOverrides(overrides);
    expect(gateway.liveConfig.reload()).toMatchObject({ ok: true, changed: true });
    expect((await chat({ authorization: `Bearer ${byIdKey}` })).status).toBe(200);
    const report = await eventually('the ledger to record the by-id key’s request', async () => {
      const seen = await usage(staticOrg.apiKey, '?group_by=key');
      return seen.by_key?.some((row: { key_id: string }) => row.key_id === 'static:by-id') && seen;
    });
    expect(report.by_key.map((row: { key_id: string }) => row.key_id).sort()).toEqual(['static:by-id', 'static:ci']);
  });
});

describe('provider headers', () => {
  it('sends headers and customHeaders to an OpenAI-compatible upstream, customHeaders winning a clash', async () => {
    gateway.upstreams.openai.reset();
    expect((await chat({ authorization: `Bearer ${gateway.apiKey}` })).status).toBe(200);
    const [request] = gateway.upstreams.openai.requests;
    expect(request?.headers).toMatchObject({ 'x-team': 'search', 'x-both': 'from-custom-headers', 'x-route': 'blue', authorization: 'Bearer sk-up' });
  });

  it('sends customHeaders to an Anthropic upstream', async () => {
    const client = new Anthropic({ apiKey: gateway.apiKey, baseURL: gateway.url, maxRetries: 0 });
    const message = await client.messages.create({ model: 'claude-chat', max_tokens: 32, messages: [{ role: 'user', content: 'hello' }] });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const request = gateway.upstreams.anthropic.requests.find((entry) => entry.path.endsWith('/messages'));
    expect(request?.headers).toMatchObject({ 'x-team': 'search', 'x-api-key': 'sk-ant' });
  });
});
