import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '@switchyard/logger';
import { startApi, type RunningApi } from '@switchyard/api';
import { adminKey, startTestGateway, type TestGateway } from '../support/gateway.ts';

// Two api processes' worth of state: the gateway's api and a second one with its own key
// cache, on the same Redis and Postgres.
let gateway: TestGateway;
let second: RunningApi;

beforeAll(async () => {
  gateway = await startTestGateway({ workers: false, ledger: false });
  second = await startApi({ config: gateway.config, db: gateway.database.db, logger: createSilentLogger(), port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await second?.stop({ graceMs: 500 });
  await gateway?.stop();
});

async function call(url: string, path: string, init: { method?: string; key?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const admin = (path: string, init: { method?: string; body?: unknown } = {}) => call(gateway.url, path, { ...init, key: adminKey });

async function newOrg(name: string): Promise<string> {
  const org = await admin('/v1/admin/orgs', { method: 'POST', body: { name } });
  expect(org.status).toBe(201);
  return org.body.id as string;
}

describe('admin routes', () => {
  it('answers an unknown admin route with 404 in the envelope, not an API-key error', async () => {
    const unknown = await admin('/v1/admin/does-not-exist');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ type: 'not_found_error', code: 'not_found' });
    expect(unknown.body.error.message).toContain('/v1/admin/does-not-exist');
    expect((await admin('/v1/admin/orgs/x/nothing', { method: 'POST', body: {} })).status).toBe(404);
    // Without the admin key it is still the admin key that is asked for.
    expect((await call(gateway.url, '/v1/admin/does-not-exist')).body.error.message).toBe('missing admin key');
  });

  it('refuses unknown fields with a 400 naming the field', async () => {
    const created = await admin('/v1/admin/orgs', { method: 'POST', body: { name: 'typo', budget: 10 } });
    expect(created.status).toBe(400);
    expect(created.body.error).toMatchObject({ type: 'invalid_request_error', param: 'budget' });
    expect(created.body.error.message).toContain('monthly_budget_usd');
    const orgId = await newOrg('strict');
    const patched = await admin(`/v1/admin/orgs/${orgId}`, { method: 'PATCH', body: { rpm: 5 } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.param).toBe('rpm');
    const key = await admin(`/v1/admin/orgs/${orgId}/keys`, { method: 'POST', body: { name: 'k', scopes: ['all'] } });
    expect(key.status).toBe(400);
    expect(key.body.error.param).toBe('scopes');
  });

  it.each([
    [{ monthly_budget_usd: 1e308 }, 'monthly_budget_usd'],
    [{ monthly_budget_usd: 1e-7 }, 'monthly_budget_usd'],
    [{ monthly_budget_usd: -1 }, 'monthly_budget_usd'],
    [{ monthly_budget_usd: '12.3.4' }, 'monthly_budget_usd'],
    [{ rpm_limit: 1e12 }, 'rpm_limit'],
    [{ tpm_limit: 2.5 }, 'tpm_limit'],
    [{ rpm_limit: 0 }, 'rpm_limit'],
  ])('refuses %j with a 400, not a 500', async (limits, param) => {
    const created = await admin('/v1/admin/orgs', { method: 'POST', body: { name: 'ranges', ...limits } });
    expect(created.status).toBe(400);
    expect(created.body.error).toMatchObject({ type: 'invalid_request_error', param });
    const orgId = await newOrg('ranges');
    const patched = await admin(`/v1/admin/orgs/${orgId}`, { method: 'PATCH', body: limits });
    expect(patched.status).toBe(400);
    expect(patched.body.error.param).toBe(param);
  });

  it('accepts the largest values it documents', async () => {
    const created = await admin('/v1/admin/orgs', {
      method: 'POST',
      body: { name: 'big', monthly_budget_usd: '999999999999.123456789', rpm_limit: 2_147_483_647 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ monthly_budget_usd: '999999999999.123456789', rpm_limit: 2_147_483_647 });
  });
});

describe('key management', () => {
  it('lists an org’s keys without their secrets, revoked ones with revoked_at', async () => {
    const orgId = await newOrg('listing');
    const first = await admin(`/v1/admin/orgs/${orgId}/keys`, { method: 'POST', body: { name: 'first' } });
    const kept = await admin(`/v1/admin/orgs/${orgId}/keys`, { method: 'POST', body: { name: 'kept' } });
    expect((await admin(`/v1/admin/keys/${first.body.id}`, { method: 'DELETE' })).status).toBe(200);

    const listing = await admin(`/v1/admin/orgs/${orgId}/keys`);
    expect(listing.status).toBe(200);
    expect(listing.body.data.map((key: { name: string }) => key.name)).toEqual(['first', 'kept']);
    const [revoked, active] = listing.body.data;
    expect(Object.keys(active).sort()).toEqual(['created_at', 'id', 'key_prefix', 'name', 'object', 'org_id', 'revoked_at']);
    expect(active).toMatchObject({ id: kept.body.id, key_prefix: kept.body.key_prefix, revoked_at: null });
    expect(revoked.revoked_at).toEqual(expect.any(Number));
    const text = JSON.stringify(listing.body);
    expect(text).not.toContain(first.body.key);
    expect(text).not.toContain(kept.body.key);
    expect((await admin('/v1/admin/orgs/org_nobody/keys')).status).toBe(404);
  });

  it('a revoked key is refused at once by every api process, not only the one that revoked it', async () => {
    const orgId = await newOrg('revocation');
    const key = await admin(`/v1/admin/orgs/${orgId}/keys`, { method: 'POST', body: { name: 'soon revoked' } });
    // Both apis have the key in their cache.
    expect((await call(gateway.url, '/v1/models', { key: key.body.key })).status).toBe(200);
    expect((await call(second.url, '/v1/models', { key: key.body.key })).status).toBe(200);

    expect((await call(second.url, `/v1/admin/keys/${key.body.id}`, { method: 'DELETE', key: adminKey })).status).toBe(200);
    const refusedHere = await call(second.url, '/v1/models', { key: key.body.key });
    const refusedThere = await call(gateway.url, '/v1/models', { key: key.body.key });
    expect(refusedHere.status).toBe(401);
    expect(refusedThere.status).toBe(401);
    expect(refusedThere.body.error.message).toBe('invalid API key');
    // Other keys keep working on both.
    expect((await call(gateway.url, '/v1/models', { key: gateway.apiKey })).status).toBe(200);
    expect((await call(second.url, '/v1/models', { key: gateway.apiKey })).status).toBe(200);
  });
});
