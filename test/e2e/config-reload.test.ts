// Config reload in one gateway process: a reload swaps what new requests see, a refused one
// keeps the old config serving, and a request in flight finishes on the config it started with.
import { afterEach, describe, expect, it } from 'vitest';
import { costUsd, normalizeUsd } from '@switchyard/core';
import { eventually } from '@switchyard/testing';
import { adminKey } from '../support/gateway.ts';
import { useGateway } from '../support/use-gateway.ts';

const gateway = useGateway();

async function admin(method: string, path: string) {
  const response = await fetch(`${gateway.url}/v1/admin${path}`, { method, headers: { authorization: `Bearer ${adminKey}` } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function chat(model: string, content = 'hello') {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  return {
    status: response.status,
    model: response.headers.get('x-switchyard-model'),
    jobId: response.headers.get('x-job-id'),
    body: (await response.json()) as Record<string, any>,
  };
}

afterEach(async () => {
  gateway.setOverrides({});
  expect((await admin('POST', '/config/reload')).status).toBe(200);
});

describe('POST /v1/admin/config/reload in one process', () => {
  it('serves a model and an alias added to the config, and reports the new version', async () => {
    const before = await admin('GET', '/config/status');
    expect(before.body).toMatchObject({ status: 'ok', errors: [] });
    expect(before.body.models).not.toContain('mock-added');
    expect((await chat('mock-added')).status).toBe(404);

    gateway.setOverrides({ models: { 'mock-added': { provider: 'mock', upstreamModel: 'mock-added-upstream' } }, aliases: { added: 'mock-added' } });
    const reloaded = await admin('POST', '/config/reload');
    expect(reloaded.status).toBe(200);
    expect(reloaded.body).toMatchObject({ status: 'ok', changed: true });
    expect(reloaded.body.version).not.toBe(before.body.version);
    expect(reloaded.body.models).toContain('mock-added');

    const byAlias = await chat('added', 'through the alias');
    expect(byAlias.status).toBe(200);
    expect(byAlias.model).toBe('mock-added');
    expect(byAlias.body.model).toBe('mock-added');
    expect(byAlias.body.choices[0].message.content).toContain('through the alias');

    const listed = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
    expect(((await listed.json()) as { data: Array<{ id: string }> }).data.map((model) => model.id)).toContain('mock-added');

    const status = await admin('GET', '/config/status');
    expect(status.body).toMatchObject({ status: 'ok', version: reloaded.body.version, loaded_at: reloaded.body.loaded_at });
    expect(status.body.instances).toEqual([
      expect.objectContaining({ id: status.body.instance_id, kind: 'all', version: reloaded.body.version, status: 'ok' }),
    ]);

    // The same file again changes nothing.
    expect((await admin('POST', '/config/reload')).body).toMatchObject({ status: 'ok', changed: false, version: reloaded.body.version });
  });

  it('refuses a bad config with every problem named, and keeps the previous one serving', async () => {
    const before = await admin('GET', '/config/status');
    gateway.setOverrides({ models: { 'mock-broken': { provider: 'mock', upstreem: 'typo', fallbacks: ['no-such-model'] } }, aliases: { fast: 'mock-fast' } });
    const refused = await admin('POST', '/config/reload');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request' });
    expect(refused.body.error.message).toContain('models.mock-broken.upstreem');
    expect(refused.body.error.message).toContain('models.mock-broken.fallbacks');
    expect(refused.body.error.errors).toEqual(['models.mock-broken.upstreem: unknown key', 'models.mock-broken.fallbacks: unknown model "no-such-model"']);

    const status = await admin('GET', '/config/status');
    expect(status.body).toMatchObject({ status: 'error', version: before.body.version, loaded_at: before.body.loaded_at, errors: refused.body.error.errors });
    expect(status.body.instances[0]).toMatchObject({ status: 'error', errors: refused.body.error.errors });
    expect((await chat('fast')).status).toBe(404);
    expect((await chat('mock-fast')).status).toBe(200);
  });

  it('lets a request in flight finish on its config while the reload takes its provider away', async () => {
    const queue = gateway.api.context.queues.get('mock');
    const slow = chat('mock-slow', 'started before the reload');
    await eventually('the slow request to be running on a worker', async () => (await queue.getActiveCount()) === 1);

    gateway.setOverrides({ providers: { mock: { enabled: false } } });
    expect((await admin('POST', '/config/reload')).body).toMatchObject({ status: 'ok', changed: true });
    // New requests see the provider gone at once ...
    const refused = await chat('mock-fast');
    expect(refused.status).not.toBe(200);
    // ... and the one that started before finishes on the config it started with.
    const finished = await slow;
    expect(finished.status).toBe(200);
    expect(finished.body.choices[0].message.content).toContain('started before the reload');
    expect(gateway.workers?.providers).not.toContain('mock');
  });

  it('prices the requests after a reload at the reloaded prices', async () => {
    const pricing = { input: '7.00', output: '11.00' };
    gateway.setOverrides({ models: { 'mock-fast': { pricing } } });
    expect((await admin('POST', '/config/reload')).body).toMatchObject({ status: 'ok', changed: true });
    const answer = await chat('mock-fast', 'priced after the reload');
    expect(answer.status).toBe(200);
    const row = await eventually('the usage row of the request', () =>
      gateway.db.selectFrom('usage_events').selectAll().where('request_id', '=', answer.jobId!).executeTakeFirst(),
    );
    const usage = { inputTokens: answer.body.usage.prompt_tokens, outputTokens: answer.body.usage.completion_tokens };
    expect(normalizeUsd(row.cost_usd)).toBe(normalizeUsd(costUsd(usage, pricing)));
    expect(normalizeUsd(row.cost_usd)).not.toBe(normalizeUsd(costUsd(usage, gateway.config.models['mock-fast']!.pricing)));
  });

  it('keeps serving across a limiter change, which takes a new BullMQ Worker for the provider', async () => {
    gateway.setOverrides({ providers: { mock: { requestsPerMinute: 6000, concurrency: 4 } } });
    expect((await admin('POST', '/config/reload')).body).toMatchObject({ status: 'ok', changed: true });
    const answers = await Promise.all(['one', 'two', 'three'].map((content) => chat('mock-fast', content)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(gateway.workers?.providers).toContain('mock');
  });
});
