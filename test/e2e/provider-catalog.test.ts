// The provider catalog: GET /v1/providers, a provider's models (configured ones plus the
// upstream's own list, fetched by a worker and cached in Redis), one model, and the admin's
// refresh; an unknown provider is a 404 in the error envelope.
import { describe, expect, it } from 'vitest';
import { callApi } from '../support/call-api.ts';
import { adminKey } from '../support/gateway.ts';
import { useGateway } from '../support/use-gateway.ts';

const openAIKey = 'sk-upstream-catalog-0123456789';
const gateway = useGateway({
  upstreams: {
    openai: { kind: 'openai', apiKey: openAIKey, models: ['gpt-4o', 'gpt-4o-mini', 'ft:gpt-4o:acme'] },
    ollama: { kind: 'ollama', models: ['llama3.2', 'phi4'] },
  },
  overrides: ({ openai, ollama }) => ({
    providers: {
      openai: { apiKey: openAIKey, baseUrl: openai.url },
      ollama: { baseUrl: ollama.url },
      anthropic: { apiKey: 'sk-ant-catalog-0123456789', baseUrl: 'http://127.0.0.1:9' },
      // Nothing listens on port 9 (discard): its list cannot be fetched.
      unreachable: { kind: 'openai-compatible', apiKey: 'sk-unreachable-0123456789', baseUrl: 'http://127.0.0.1:9/v1' },
    },
    models: { 'gpt-unlisted': { provider: 'openai' }, 'unreachable-model': { provider: 'unreachable' } },
  }),
});

const get = (path: string, apiKey?: string) => callApi(gateway, 'GET', path, undefined, apiKey);
const refresh = (provider: string, apiKey = adminKey) => callApi(gateway, 'POST', `/v1/providers/${provider}/models/refresh`, undefined, apiKey);
const modelListCalls = () => gateway.upstreams.openai.requests.filter((request) => request.method === 'GET' && request.path === '/v1/models');

describe('GET /v1/providers', () => {
  it('lists every configured provider with its state, workers and catalog models', async () => {
    const { status, body } = await get('/v1/providers');
    expect(status).toBe(200);
    expect(body.object).toBe('list');
    const byId = Object.fromEntries(body.data.map((provider: { id: string }) => [provider.id, provider]));
    expect(byId.openai).toMatchObject({ id: 'openai', kind: 'openai-compatible', enabled: true, breaker: 'closed' });
    expect(byId.openai.workers).toBeGreaterThanOrEqual(1);
    expect(byId.openai.models).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini']));
    expect(byId.openai).not.toHaveProperty('disabled_reason');
    expect(byId.xai).toMatchObject({ enabled: false, disabled_reason: expect.stringContaining('XAI_API_KEY'), workers: 0 });
    expect(byId.mock.models).toEqual(expect.arrayContaining(['mock-fast', 'mock-slow']));
  });

  it('wants an API key', async () => {
    const response = await fetch(`${gateway.url}/v1/providers`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
  });
});

describe('GET /v1/providers/{name}/models', () => {
  it('fetches the upstream list once, then answers from the cache', async () => {
    const first = await get('/v1/providers/openai/models');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ object: 'list', provider: 'openai', cached: false, upstream_list: true });
    expect(new Date(first.body.last_refresh).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const byId = Object.fromEntries(first.body.data.map((model: { id: string }) => [model.id, model]));
    expect(byId['gpt-4o']).toMatchObject({ object: 'model', owned_by: 'openai', configured: true, upstream_model: 'gpt-4o', upstream_listed: true });
    // Configured but not in the upstream's list.
    expect(byId['gpt-unlisted']).toMatchObject({ configured: true, upstream_listed: false });
    expect(byId['ft:gpt-4o:acme']).toMatchObject({ object: 'model', owned_by: 'mock', configured: false, upstream_listed: true });
    // The worker called the upstream's list with the provider key.
    expect(modelListCalls()).toHaveLength(1);
    expect(modelListCalls()[0]!.headers.authorization).toBe(`Bearer ${openAIKey}`);

    const second = await get('/v1/providers/openai/models');
    expect(second.body).toMatchObject({ cached: true, last_refresh: first.body.last_refresh });
    expect(second.body.data).toEqual(first.body.data);
    expect(modelListCalls()).toHaveLength(1);
  });

  it("lists an Ollama server's pulled models from /api/tags", async () => {
    const { body } = await get('/v1/providers/ollama/models');
    const ids = body.data.map((model: { id: string }) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['llama3.2', 'qwen2.5', 'phi4']));
    expect(body.data.find((model: { id: string }) => model.id === 'phi4')).toMatchObject({ configured: false, upstream_listed: true });
    expect(body.data.find((model: { id: string }) => model.id === 'qwen2.5')).toMatchObject({ configured: true, upstream_listed: false });
    expect(gateway.upstreams.ollama.requests.some((request) => request.method === 'GET' && request.path === '/api/tags')).toBe(true);
  });

  it('shows only the configured models of a provider whose API has no list', async () => {
    const { status, body } = await get('/v1/providers/anthropic/models');
    expect(status).toBe(200);
    expect(body).toMatchObject({ upstream_list: false });
    expect(body.data.length).toBeGreaterThan(0);
    for (const model of body.data) expect(model).toMatchObject({ configured: true, upstream_listed: null, owned_by: 'anthropic' });
  });

  it('says why the upstream list could not be fetched, and still shows the configured models', async () => {
    const { status, body } = await get('/v1/providers/unreachable/models');
    expect(status).toBe(200);
    expect(body).toMatchObject({ cached: false, upstream_list: true, upstream_error: 'unreachable could not be reached' });
    expect(body.data).toEqual([expect.objectContaining({ id: 'unreachable-model', configured: true, upstream_listed: false })]);
  });

  it('answers a disabled provider from the configuration at once (no worker can list it)', async () => {
    const { status, body } = await get('/v1/providers/xai/models');
    expect(status).toBe(200);
    expect(body).toMatchObject({ cached: false, last_refresh: null, upstream_list: null });
    expect(body.data.map((model: { id: string }) => model.id)).toContain('grok-3');
    const refused = await refresh('xai');
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ type: 'overloaded', code: 'provider_unavailable' });
  });

  it('answers one model, and 404 for a model or provider it does not know', async () => {
    const one = await get(`/v1/providers/openai/models/${encodeURIComponent('ft:gpt-4o:acme')}`);
    expect(one).toMatchObject({ status: 200, body: { id: 'ft:gpt-4o:acme', configured: false } });

    const missingModel = await get('/v1/providers/openai/models/no-such-model');
    expect(missingModel.status).toBe(404);
    expect(missingModel.body.error).toMatchObject({ type: 'not_found_error', code: 'model_not_found' });

    for (const path of ['/v1/providers/no-such-provider/models', '/v1/providers/no-such-provider/models/gpt-4o']) {
      const missing = await get(path);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({ type: 'not_found_error', param: 'name', message: "no provider named 'no-such-provider'" });
    }
    expect((await refresh('no-such-provider')).status).toBe(404);
  });
});

describe('POST /v1/providers/{name}/models/refresh', () => {
  it('needs the admin key, then fetches the list again', async () => {
    const before = (await get('/v1/providers/openai/models')).body;
    const calls = modelListCalls().length;

    const refused = await refresh('openai', gateway.apiKey);
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe('permission_error');
    expect((await fetch(`${gateway.url}/v1/providers/openai/models/refresh`, { method: 'POST' })).status).toBe(401);
    expect(modelListCalls()).toHaveLength(calls);

    const refreshed = await refresh('openai');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ cached: false, upstream_list: true });
    expect(new Date(refreshed.body.last_refresh).getTime()).toBeGreaterThanOrEqual(new Date(before.last_refresh).getTime());
    expect(modelListCalls()).toHaveLength(calls + 1);
    expect((await get('/v1/providers/openai/models')).body).toMatchObject({ cached: true, last_refresh: refreshed.body.last_refresh });
  });
});
