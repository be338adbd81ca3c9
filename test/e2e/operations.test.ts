import { describe, expect, it } from 'vitest';
import { openAIClient } from '../support/clients.ts';
import { adminKey, startTestGateway } from '../support/gateway.ts';
import { useGateway } from '../support/use-gateway.ts';

const gateway = useGateway();

async function call(path: string, init: RequestInit & { key?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.key) headers.set('authorization', `Bearer ${init.key}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(`${gateway.url}${path}`, { ...init, headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // metrics are plain text
  }
  return { status: response.status, body: body as Record<string, any>, text };
}

describe('operations', () => {
  it('answers liveness and readiness without a key', async () => {
    expect((await call('/health')).body).toEqual({ status: 'ok' });
    expect((await call('/ready')).body).toMatchObject({ status: 'ready', redis: true, postgres: true });
  });

  it('reports providers with breaker state, workers and queue depth', async () => {
    const health = await call('/v1/health', { key: gateway.apiKey });
    expect(health.status).toBe(200);
    expect(health.body.providers.mock).toMatchObject({ status: 'up', breaker: 'closed', queued: 0 });
    expect(health.body.providers.mock.models).toMatchObject({ 'mock-fast': { breaker: 'closed' }, 'mock-slow': { breaker: 'closed' } });
    expect(health.body.providers.mock.workers).toBeGreaterThan(0);
    const seed = await call('/api/ai/health', { key: gateway.apiKey });
    expect(seed.body.providers.mock.breaker).toBe('closed');
  });

  it('exposes Prometheus metrics with queue depth per provider', async () => {
    const client = openAIClient(gateway);
    await client.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'count me' }] });
    const metrics = await call('/metrics');
    expect(metrics.status).toBe(200);
    for (const lane of ['sync', 'async', 'batch', 'delayed']) expect(metrics.text).toContain(`switchyard_queue_waiting{provider="mock",lane="${lane}"} 0`);
    expect(metrics.text).toContain('switchyard_breaker_state{provider="mock",model="mock-fast"} 0');
    expect(metrics.text).toMatch(/switchyard_http_requests_total\{route="\/v1\/chat\/completions",status="200"\} [1-9]/);
  });
});

describe('admin API', () => {
  it('refuses non-admin callers', async () => {
    expect((await call('/v1/admin/orgs', { method: 'POST', body: JSON.stringify({ name: 'x' }) })).status).toBe(401);
    const forbidden = await call('/v1/admin/orgs', { method: 'POST', key: gateway.apiKey, body: JSON.stringify({ name: 'x' }) });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.type).toBe('permission_error');
  });

  it('creates an org and a key (shown once), which then works until it is revoked', async () => {
    const org = await call('/v1/admin/orgs', {
      method: 'POST',
      key: adminKey,
      body: JSON.stringify({ name: 'resume-writer', monthly_budget_usd: 25, rpm_limit: 600 }),
    });
    expect(org.status).toBe(201);
    expect(org.body).toMatchObject({ name: 'resume-writer', monthly_budget_usd: '25', rpm_limit: 600 });
    const patched = await call(`/v1/admin/orgs/${org.body.id}`, { method: 'PATCH', key: adminKey, body: JSON.stringify({ rpm_limit: 1200 }) });
    expect(patched.body.rpm_limit).toBe(1200);

    const key = await call(`/v1/admin/orgs/${org.body.id}/keys`, { method: 'POST', key: adminKey, body: JSON.stringify({ name: 'prod' }) });
    expect(key.status).toBe(201);
    expect(key.body.key).toMatch(/^sk-sy/);
    expect((await call('/v1/models', { key: key.body.key })).status).toBe(200);

    expect((await call(`/v1/admin/keys/${key.body.id}`, { method: 'DELETE', key: adminKey })).status).toBe(200);
    expect((await call('/v1/models', { key: key.body.key })).status).toBe(401);
    expect((await call(`/v1/admin/keys/${key.body.id}`, { method: 'DELETE', key: adminKey })).status).toBe(404);
  });

  it('validates admin input in the error envelope', async () => {
    const bad = await call('/v1/admin/orgs', { method: 'POST', key: adminKey, body: JSON.stringify({ name: '', rpm_limit: -1 }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.type).toBe('invalid_request_error');
    expect((await call('/v1/admin/orgs/org_missing/keys', { method: 'POST', key: adminKey, body: '{}' })).status).toBe(404);
  });

  it('lists providers and queues', async () => {
    const providers = await call('/v1/admin/providers', { key: adminKey });
    const mock = providers.body.data.find((provider: { name: string }) => provider.name === 'mock');
    expect(mock).toMatchObject({ enabled: true, breaker: 'closed', models: { 'mock-fast': { breaker: 'closed' } } });
    const openai = providers.body.data.find((provider: { name: string }) => provider.name === 'openai');
    expect(openai).toMatchObject({ enabled: false, disabled_reason: 'no API key (set OPENAI_API_KEY)' });
    const queues = await call('/v1/admin/queues', { key: adminKey });
    expect(queues.body.data.map((queue: { queue: string }) => queue.queue)).toContain('inference-mock');
  });
});

describe('protected metrics', () => {
  it('wants the metrics key when one is configured', async () => {
    const guarded = await startTestGateway({ overrides: { server: { metricsKey: 'metrics-key-0123456789abcdef' } } });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${guarded.apiKey}` } })).status).toBe(403);
      const allowed = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer metrics-key-0123456789abcdef' } });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('switchyard_queue_waiting');
    } finally {
      await guarded.stop();
    }
  });
});
