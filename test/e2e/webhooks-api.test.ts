import { openSecret } from '@switchyard/core';
import { eventually } from '@switchyard/testing';
import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { openAIClient } from '../support/clients.ts';
import { callApi, type ApiAnswer } from '../support/call-api.ts';
import { useGateway } from '../support/use-gateway.ts';

const encryptionKey = 'test-encryption-key-0123456789';
const allowed = '127.0.0.1:4599';
const gateway = useGateway({ overrides: { encryptionKey, webhooks: { allow: [allowed], rotationOverlapSeconds: 3600 } } });

const call = (method: string, path: string, body?: unknown, apiKey = gateway.apiKey): Promise<ApiAnswer> => callApi(gateway, method, path, body, apiKey);

const chat = { model: 'mock-fast', messages: [{ role: 'user', content: 'hello' }] };
const refusedUrls = [
  'http://127.0.0.1/hook',
  'http://[::1]:8080/hook',
  'http://0.0.0.0/hook',
  'http://169.254.169.254/latest/meta-data',
  'http://10.1.2.3/hook',
  'ftp://example.com/hook',
  'http://localhost:3000/hook',
  'not a url',
];

describe('org webhook endpoints', () => {
  it('creates an endpoint and shows its secret once, never in GET or the list', async () => {
    const created = await call('POST', '/v1/webhooks', {
      url: 'https://receiver.example/hook',
      events: ['job.completed', 'batch.failed'],
      description: 'prod',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: 'webhook_endpoint',
      url: 'https://receiver.example/hook',
      events: ['job.completed', 'batch.failed'],
      description: 'prod',
      enabled: true,
      disabled_reason: null,
    });
    expect(created.body.id).toMatch(/^we_/);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(typeof created.body.created_at).toBe('number');

    const read = await call('GET', `/v1/webhooks/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    expect(read.body).toEqual(Object.fromEntries(Object.entries(created.body).filter(([key]) => key !== 'secret')));
    const list = await call('GET', '/v1/webhooks');
    expect(list.body).toMatchObject({ object: 'list', has_more: false });
    const listed = list.body.data.find((endpoint: { id: string }) => endpoint.id === created.body.id);
    expect(listed).toEqual(read.body);
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret.slice(6));

    // Stored sealed under the encryption key, not in plaintext.
    const row = await gateway.db.selectFrom('webhook_endpoints').select('secret').where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row.secret).not.toContain(created.body.secret.slice(6));
    expect(openSecret(row.secret, encryptionKey)).toBe(created.body.secret);
  });

  it('works through the official openai SDK; an endpoint made without events lists none (it receives every type)', async () => {
    const created = (await gateway.openai.post('/webhooks', { body: { url: 'https://sdk.example/hook' } })) as Record<string, any>;
    expect(created).toMatchObject({ object: 'webhook_endpoint', events: [], description: null });
    const read = (await gateway.openai.get(`/webhooks/${created.id}`)) as Record<string, any>;
    expect(read.url).toBe('https://sdk.example/hook');
    const missing = await gateway.openai.get('/webhooks/we_missing').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(APIError);
    expect((missing as APIError).status).toBe(404);
  });

  it('pages the list in creation order with limit and after', async () => {
    const { apiKey } = await gateway.createTenant('paging');
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) ids.push((await call('POST', '/v1/webhooks', { url: `https://page.example/${index}` }, apiKey)).body.id);
    const first = await call('GET', '/v1/webhooks?limit=2', undefined, apiKey);
    expect(first.body.data.map((endpoint: { id: string }) => endpoint.id)).toEqual(ids.slice(0, 2));
    expect(first.body.has_more).toBe(true);
    const second = await call('GET', `/v1/webhooks?limit=2&after=${first.body.last_id}`, undefined, apiKey);
    expect(second.body.data.map((endpoint: { id: string }) => endpoint.id)).toEqual(ids.slice(2));
    expect(second.body.has_more).toBe(false);
    expect((await call('GET', '/v1/webhooks?limit=0', undefined, apiKey)).body.error.param).toBe('limit');
    expect((await call('GET', '/v1/webhooks?after=nope', undefined, apiKey)).body.error.param).toBe('after');
  });

  it('updates url, events, description and enabled; enabling again clears why it was disabled', async () => {
    const { body: created } = await call('POST', '/v1/webhooks', { url: 'https://patch.example/a' });
    const patched = await call('PATCH', `/v1/webhooks/${created.id}`, {
      url: 'https://patch.example/b',
      events: ['job.failed', 'job.failed'],
      description: 'x',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ url: 'https://patch.example/b', events: ['job.failed'], description: 'x', enabled: true });
    expect(typeof patched.body.updated_at).toBe('number');
    expect((await call('PATCH', `/v1/webhooks/${created.id}`, { description: null })).body.description).toBeNull();

    // As the delivery service does to an endpoint that keeps failing.
    await gateway.db.updateTable('webhook_endpoints').set({ enabled: false, disabled_reason: 'failing for 5 days' }).where('id', '=', created.id).execute();
    expect((await call('GET', `/v1/webhooks/${created.id}`)).body).toMatchObject({ enabled: false, disabled_reason: 'failing for 5 days' });
    expect((await call('PATCH', `/v1/webhooks/${created.id}`, { enabled: true })).body).toMatchObject({ enabled: true, disabled_reason: null });
    expect((await call('PATCH', `/v1/webhooks/${created.id}`, { enabled: false })).body).toMatchObject({ enabled: false });

    const unknownField = await call('PATCH', `/v1/webhooks/${created.id}`, { secret: 'whsec_mine' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.param).toBe('secret');
  });

  it('rotates the secret: the new one is shown once, the old one signs on for the overlap', async () => {
    const { body: created } = await call('POST', '/v1/webhooks', { url: 'https://rotate.example/hook' });
    const before = Date.now();
    const rotated = await call('POST', `/v1/webhooks/${created.id}/rotate-secret`);
    const after = Date.now();
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    expect(rotated.body.previous_secret_expires_at).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 3600);
    expect(rotated.body.previous_secret_expires_at).toBeLessThanOrEqual(Math.ceil(after / 1000) + 3600);
    const row = await gateway.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(openSecret(row.secret, encryptionKey)).toBe(rotated.body.secret);
    expect(openSecret(row.previous_secret!, encryptionKey)).toBe(created.secret);
    expect((await call('GET', `/v1/webhooks/${created.id}`)).body).not.toHaveProperty('secret');
  });

  it('deletes an endpoint', async () => {
    const { body: created } = await call('POST', '/v1/webhooks', { url: 'https://delete.example/hook' });
    expect(await call('DELETE', `/v1/webhooks/${created.id}`)).toEqual({ status: 200, body: { id: created.id, object: 'webhook_endpoint', deleted: true } });
    expect((await call('GET', `/v1/webhooks/${created.id}`)).status).toBe(404);
    expect((await call('DELETE', `/v1/webhooks/${created.id}`)).status).toBe(404);
  });

  it("answers 404 for another org's endpoint on every route", async () => {
    const { body: created } = await call('POST', '/v1/webhooks', { url: 'https://mine.example/hook' });
    const other = await gateway.createTenant('other');
    for (const [method, path, body] of [
      ['GET', `/v1/webhooks/${created.id}`],
      ['PATCH', `/v1/webhooks/${created.id}`, { enabled: false }],
      ['DELETE', `/v1/webhooks/${created.id}`],
      ['POST', `/v1/webhooks/${created.id}/rotate-secret`],
      ['GET', `/v1/webhooks/${created.id}/deliveries`],
      ['POST', `/v1/webhooks/${created.id}/deliveries/whd_x/retry`],
    ] as const) {
      const answer = await call(method, path, body, other.apiKey);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error.type).toBe('not_found_error');
    }
    expect((await call('GET', '/v1/webhooks', undefined, other.apiKey)).body.data).toEqual([]);
    expect((await call('GET', `/v1/webhooks/${created.id}`)).body.enabled).toBe(true);
  });

  it('refuses URLs the destination policy refuses, unless allow-listed exactly', async () => {
    for (const url of refusedUrls) {
      const answer = await call('POST', '/v1/webhooks', { url });
      expect(answer.status, url).toBe(400);
      expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', param: 'url' });
    }
    const { body: created } = await call('POST', '/v1/webhooks', { url: 'https://ok.example/hook' });
    const patched = await call('PATCH', `/v1/webhooks/${created.id}`, { url: 'http://169.254.169.254/' });
    expect(patched.status).toBe(400);
    expect(patched.body.error.param).toBe('url');
    expect((await call('POST', '/v1/webhooks', { url: `http://${allowed}/hook` })).status).toBe(201);
    expect((await call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:4600/hook' })).status).toBe(400);
  });

  it('refuses unknown event types', async () => {
    const answer = await call('POST', '/v1/webhooks', { url: 'https://ok.example/hook', events: ['job.completed', 'job.exploded'] });
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe('events.1');
  });

  it('answers 404 for ids that cannot be endpoints', async () => {
    expect((await call('GET', '/v1/webhooks/default')).status).toBe(404);
    expect((await call('GET', `/v1/webhooks/${encodeURIComponent('we_\u0000')}`)).status).toBe(404);
  });
});

describe('the org default secret', () => {
  it('is made on first use and stays the same, one per org', async () => {
    const first = await call('GET', '/v1/webhooks/default/secret');
    expect(first.status).toBe(200);
    expect(first.body.key).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect((await call('GET', '/v1/webhooks/default/secret')).body.key).toBe(first.body.key);
    const other = await gateway.createTenant('default-secret');
    const theirs = await Promise.all([1, 2, 3].map(() => call('GET', '/v1/webhooks/default/secret', undefined, other.apiKey)));
    expect(new Set(theirs.map((answer) => answer.body.key)).size).toBe(1);
    expect(theirs[0]!.body.key).not.toBe(first.body.key);
  });
});

describe('a job webhook_url', () => {
  it('refuses URLs the destination policy refuses and filters that are not job events', async () => {
    for (const url of refusedUrls) {
      const answer = await call('POST', '/v1/jobs', { endpoint: '/v1/chat/completions', body: chat, webhook_url: url });
      expect(answer.status, url).toBe(400);
      expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', param: 'webhook_url' });
    }
    const batchEvent = await call('POST', '/v1/jobs', {
      endpoint: '/v1/chat/completions',
      body: chat,
      webhook_url: 'https://ok.example/',
      webhook_events: ['batch.completed'],
    });
    expect(batchEvent.status).toBe(400);
    expect(batchEvent.body.error.param).toBe('webhook_events.0');
    const filterAlone = await call('POST', '/v1/jobs', { endpoint: '/v1/chat/completions', body: chat, webhook_events: ['job.completed'] });
    expect(filterAlone.body.error.param).toBe('webhook_events');
  });

  it('reaches the job record; its final state records one event and its deliveries, listed and retried on both routes', async () => {
    const { body: endpoint } = await call('POST', '/v1/webhooks', { url: 'https://org.example/hook', events: ['job.completed'] });
    const client = openAIClient(gateway);
    const job = (await client.post('/jobs', {
      body: { endpoint: '/v1/chat/completions', body: chat, webhook_url: 'https://own.example/cb?token=1', webhook_events: ['job.completed', 'job.failed'] },
    })) as { id: string; status: string };
    expect(job.status).toBe('queued');
    const row = await eventually('the finished job in Postgres', async () => {
      const found = await gateway.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirst();
      return found?.status === 'completed' && found;
    });
    expect(row).toMatchObject({ webhook_url: 'https://own.example/cb?token=1', webhook_events: ['job.completed', 'job.failed'] });
    const events = await gateway.db.selectFrom('webhook_events').selectAll().where('subject_id', '=', job.id).execute();
    expect(events.map((event) => event.type)).toEqual(['job.completed']);
    expect(events[0]!.data).toEqual((await call('GET', `/v1/jobs/${job.id}`)).body);

    const ofJob = await call('GET', `/v1/jobs/${job.id}/webhook_deliveries`);
    expect(ofJob.status).toBe(200);
    const byUrl = Object.fromEntries(ofJob.body.data.map((delivery: { url: string }) => [delivery.url, delivery]));
    expect(Object.keys(byUrl).sort()).toContain('https://own.example/cb?token=1');
    expect(byUrl['https://own.example/cb?token=1']).toMatchObject({
      object: 'webhook_delivery',
      event_id: events[0]!.id,
      event_type: 'job.completed',
      endpoint_id: null,
      attempt_log: [],
    });
    const toEndpoint = byUrl['https://org.example/hook'];
    expect(toEndpoint).toMatchObject({ endpoint_id: endpoint.id, event_id: events[0]!.id });
    const ofEndpoint = await call('GET', `/v1/webhooks/${endpoint.id}/deliveries`);
    expect(ofEndpoint.body.data).toEqual([toEndpoint]);

    // Retry: back in the outbox under the next generation, with the same webhook-id.
    await gateway.db.updateTable('webhook_deliveries').set({ status: 'failed', enqueued_at: new Date() }).where('id', '=', toEndpoint.id).execute();
    const retried = await call('POST', `/v1/webhooks/${endpoint.id}/deliveries/${toEndpoint.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: toEndpoint.id, status: 'pending', event_id: events[0]!.id });
    const own = byUrl['https://own.example/cb?token=1'];
    expect((await call('POST', `/v1/jobs/${job.id}/webhook_deliveries/${own.id}/retry`)).status).toBe(202);
    const stored = await gateway.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'generation', 'enqueued_at', 'status'])
      .where('subject_id', '=', job.id)
      .execute();
    expect(stored.find((delivery) => delivery.id === toEndpoint.id)).toMatchObject({ generation: 1, enqueued_at: null, status: 'pending' });
    expect(stored.find((delivery) => delivery.id === own.id)).toMatchObject({ generation: 1, enqueued_at: null });

    // A disabled endpoint's delivery is not retried until it is enabled again.
    await call('PATCH', `/v1/webhooks/${endpoint.id}`, { enabled: false });
    const refused = await call('POST', `/v1/webhooks/${endpoint.id}/deliveries/${toEndpoint.id}/retry`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('disabled');

    // Another org sees neither the job's deliveries nor can it retry them.
    const other = await gateway.createTenant('outsider');
    expect((await call('GET', `/v1/jobs/${job.id}/webhook_deliveries`, undefined, other.apiKey)).status).toBe(404);
    expect((await call('POST', `/v1/jobs/${job.id}/webhook_deliveries/${own.id}/retry`, undefined, other.apiKey)).status).toBe(404);
    expect((await call('POST', `/v1/jobs/${job.id}/webhook_deliveries/whd_unknown/retry`)).status).toBe(404);
  });
});
