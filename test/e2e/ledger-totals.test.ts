// The ledger end to end: a mixed run (sync, streamed, async, failed, cancelled, fallback) through
// real workers and the ledger service, then the usage report must equal the mock
// upstream's reported usage times the configured prices, to the last digit.
import { beforeAll, describe, expect, it } from 'vitest';
import { addUsd, costUsd, normalizeUsd, type LedgerEntry, type Usage, type UsageRecord } from '@switchyard/core';
import { findJob, type UsageEventRow } from '@switchyard/db';
import { appendLedgerEntries, ledgerStreamKey, readMonthToDateSpend } from '@switchyard/queue';
import { eventually, expectedMockAnswer } from '@switchyard/testing';
import { findFinishedJob } from '../../services/api/src/inference/finished-job-object.ts';
import { useGateway } from '../support/use-gateway.ts';

const primaryKey = 'sk-primary-upstream-0123456789';
const backupKey = 'sk-backup-upstream-0123456789';
const prices = {
  'primary-model': { input: '0.000000003', output: '7.123456789' },
  'backup-model': { input: '1.000000001', output: '3.333333333', cachedInput: '0.123456789' },
};

const gateway = useGateway({
  upstreams: { primary: { kind: 'openai', apiKey: primaryKey }, backup: { kind: 'openai', apiKey: backupKey } },
  overrides: (upstreams) => ({
    providers: {
      openai: { apiKey: primaryKey, baseUrl: upstreams.primary.url, attempts: 1 },
      backup: { kind: 'openai-compatible', apiKey: backupKey, baseUrl: upstreams.backup.url, attempts: 1 },
    },
    models: {
      'primary-model': { provider: 'openai', fallbacks: ['backup-model'], pricing: prices['primary-model'] },
      'backup-model': { provider: 'backup', pricing: prices['backup-model'] },
    },
  }),
});
const { primary, backup } = gateway.upstreams;
const redis = gateway.redis;
let orgB: { orgId: string; apiKey: string };

/** `fellOver`: a later route took the request over, so it counts for that route's model. */
type Attempt = { model: string; usage: Usage; fellOver?: true };
/** Every attempt the run makes, per org, with the usage the mock upstream reported. */
const attempts: Record<'a' | 'b', Attempt[]> = { a: [], b: [] };
const jobIds: Record<'a' | 'b', string[]> = { a: [], b: [] };

beforeAll(async () => {
  orgB = await gateway.createTenant('org-b');
});

async function http(path: string, init: RequestInit & { key?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${init.key ?? gateway.apiKey}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(`${gateway.url}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const post = (path: string, body: unknown, key?: string) => http(path, { method: 'POST', body: JSON.stringify(body), ...(key ? { key } : {}) });

function pollJob(id: string, until: (status: string) => boolean) {
  return eventually(`job ${id} to reach the awaited status`, async () => {
    const job = (await http(`/v1/jobs/${id}`)).body;
    return until(job.status) && job;
  });
}

function mockUsage(texts: string[], last: string): Usage {
  const answer = expectedMockAnswer(texts, last);
  return { inputTokens: answer.inputTokens, outputTokens: answer.outputTokens };
}

const zero: Usage = { inputTokens: 0, outputTokens: 0 };

function priceOf(model: string) {
  const pricing = gateway.config.models[model]?.pricing;
  if (!pricing) throw new Error(`no price for ${model}`);
  return pricing;
}

/** What the usage report must say, computed from the attempts alone. */
function expectedReport(run: Attempt[]) {
  const byModel = new Map<
    string,
    { request_count: number; attempt_count: number; total_input_tokens: number; total_output_tokens: number; total_cost_exact: string }
  >();
  let total = '0';
  for (const attempt of run) {
    const cost = costUsd(attempt.usage, priceOf(attempt.model));
    total = addUsd(total, cost);
    const row = byModel.get(attempt.model) ?? { request_count: 0, attempt_count: 0, total_input_tokens: 0, total_output_tokens: 0, total_cost_exact: '0' };
    if (!attempt.fellOver) row.request_count += 1;
    row.attempt_count += 1;
    row.total_input_tokens += attempt.usage.inputTokens;
    row.total_output_tokens += attempt.usage.outputTokens;
    row.total_cost_exact = normalizeUsd(addUsd(row.total_cost_exact, cost));
    byModel.set(attempt.model, row);
  }
  return { byModel, total: normalizeUsd(total) };
}

function reportByModel(report: {
  by_model: Array<{
    model: string;
    request_count: number;
    attempt_count: number;
    total_input_tokens: number;
    total_output_tokens: number;
    total_cost_exact: string;
  }>;
}) {
  return new Map(
    report.by_model.map((row) => [
      row.model,
      {
        request_count: row.request_count,
        attempt_count: row.attempt_count,
        total_input_tokens: row.total_input_tokens,
        total_output_tokens: row.total_output_tokens,
        total_cost_exact: normalizeUsd(row.total_cost_exact),
      },
    ]),
  );
}

/** The ledger is asynchronous: wait until it has every job of the run. */
function waitForLedger(key: string, requests: number) {
  return eventually(`the ledger to record all ${requests} jobs of the run`, async () => {
    const [usage, jobs] = await Promise.all([http('/v1/usage', { key }), http('/v1/jobs?limit=100', { key })]);
    return usage.body.total_requests === requests && jobs.body.data.length === requests && usage.body;
  });
}

describe('a mixed run, recorded by the ledger', () => {
  beforeAll(async () => {
    // Sync.
    const syncMessages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Count the ledger lines' },
    ];
    const sync = await post('/v1/chat/completions', { model: 'gpt-4o', messages: syncMessages });
    expect(sync.status).toBe(200);
    attempts.a.push({ model: 'gpt-4o', usage: mockUsage(['Be brief.', 'Count the ledger lines'], 'Count the ledger lines') });
    jobIds.a.push(sync.headers.get('x-job-id')!);

    // Streamed, with the usage chunk asked for.
    const streamText = 'Stream the ledger to me word by word';
    const streamed = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: streamText }] }),
    });
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toContain('data: [DONE]');
    attempts.a.push({ model: 'gpt-4o', usage: mockUsage([streamText], streamText) });
    jobIds.a.push(streamed.headers.get('x-job-id')!);

    // Async.
    const asyncText = 'Summarise the quarter in one line';
    const created = await post('/v1/jobs', {
      endpoint: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: asyncText }] },
      metadata: { team: 'finance' },
    });
    expect(created.status).toBe(202);
    expect((await pollJob(created.body.id, (status) => status === 'completed')).status).toBe('completed');
    attempts.a.push({ model: 'gpt-4o-mini', usage: mockUsage([asyncText], asyncText) });
    jobIds.a.push(created.body.id);

    // Failed at once: the upstream refuses the request (400), nothing consumed.
    primary.behave('gpt-4-turbo', { status: 400, errorMessage: 'bad request from the mock' });
    const failed = await post('/v1/chat/completions', { model: 'gpt-4-turbo', messages: [{ role: 'user', content: 'this will fail' }] });
    expect(failed.status).toBe(400);
    attempts.a.push({ model: 'gpt-4-turbo', usage: zero });
    jobIds.a.push(failed.headers.get('x-job-id')!);

    // Cancelled while the upstream call runs.
    primary.behave('gpt-3.5-turbo', { stall: true });
    const stalled = await post('/v1/jobs', {
      endpoint: '/v1/chat/completions',
      body: { model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'never answered' }] },
    });
    expect((await pollJob(stalled.body.id, (status) => status === 'in_progress')).status).toBe('in_progress');
    expect((await post(`/v1/jobs/${stalled.body.id}/cancel`, {})).body.status).toBe('cancelled');
    attempts.a.push({ model: 'gpt-3.5-turbo', usage: zero });
    jobIds.a.push(stalled.body.id);

    // Fallback: the primary route answers 500 (one attempt), the backup serves it, with cached input.
    primary.behave('primary-model', { status: 500 });
    backup.behave('backup-model', { usage: { input: 1234, output: 567, cached: 1000 } });
    const fallback = await post('/v1/chat/completions', { model: 'primary-model', messages: [{ role: 'user', content: 'route me' }] });
    expect(fallback.status).toBe(200);
    expect(fallback.headers.get('x-switchyard-model')).toBe('backup-model');
    expect(fallback.headers.get('x-switchyard-attempts')).toBe('2');
    attempts.a.push(
      { model: 'primary-model', usage: zero, fellOver: true },
      { model: 'backup-model', usage: { inputTokens: 1234, outputTokens: 567, cachedInputTokens: 1000 } },
    );
    jobIds.a.push(fallback.headers.get('x-job-id')!);

    // Another org's traffic, which org A must never see.
    const otherText = 'Org B asks something else entirely';
    const other = await post('/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: otherText }] }, orgB.apiKey);
    expect(other.status).toBe(200);
    attempts.b.push({ model: 'gpt-4o', usage: mockUsage([otherText], otherText) });
    jobIds.b.push(other.headers.get('x-job-id')!);

    await waitForLedger(gateway.apiKey, jobIds.a.length);
    await waitForLedger(orgB.apiKey, jobIds.b.length);
  });

  it('totals per org and per model equal the upstream usage times the configured prices, exactly', async () => {
    const expected = expectedReport(attempts.a);
    const usage = await http('/v1/usage');
    expect(usage.status).toBe(200);
    expect(usage.body.total_requests).toBe(jobIds.a.length);
    expect(normalizeUsd(usage.body.total_cost_exact)).toBe(expected.total);
    expect(reportByModel(usage.body)).toEqual(expected.byModel);
    // Each request counts once, for the model that served it, so the rows add up to the total.
    expect(usage.body.by_model.reduce((sum: number, row: { request_count: number }) => sum + row.request_count, 0)).toBe(usage.body.total_requests);
    expect(usage.body.total_attempts).toBe(attempts.a.length);
    expect(usage.body.total_input_tokens).toBe(attempts.a.reduce((sum, attempt) => sum + attempt.usage.inputTokens, 0));
    // The costs are not round numbers, so a float sum anywhere would show.
    expect(expected.total).toMatch(/\.\d{9,}$/);

    const other = await http('/v1/usage', { key: orgB.apiKey });
    const expectedB = expectedReport(attempts.b);
    expect(reportByModel(other.body)).toEqual(expectedB.byModel);
    expect(normalizeUsd(other.body.total_cost_exact)).toBe(expectedB.total);
  });

  it('keeps the month-to-date spend for the budget check equal to the total', async () => {
    expect(normalizeUsd((await readMonthToDateSpend(redis, gateway.prefix, gateway.orgId))!)).toBe(expectedReport(attempts.a).total);
  });

  it('answers /api/ai/usage the same, defaults to this UTC month, and groups by day and key', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const [v1, seed, byDay, byKey] = await Promise.all([
      http('/v1/usage'),
      http('/api/ai/usage'),
      http('/v1/usage?group_by=day'),
      http(`/v1/usage?group_by=key&from_date=${today}&to_date=${today}`),
    ]);
    expect(seed.body).toEqual(v1.body);
    expect(v1.body).toMatchObject({ from_date: `${today.slice(0, 7)}-01`, to_date: today });
    expect(byDay.body.by_day).toEqual([expect.objectContaining({ date: today, request_count: jobIds.a.length, total_cost_exact: v1.body.total_cost_exact })]);
    expect(byKey.body.by_key).toHaveLength(1);
    const otherByKey = await http('/v1/usage?group_by=key', { key: orgB.apiKey });
    expect(otherByKey.body.by_key).toHaveLength(1);
    expect(otherByKey.body.by_key[0].key_id).not.toBe(byKey.body.by_key[0].key_id);
  });

  it('refuses bad dates and groupings with 400 naming the parameter', async () => {
    const badDay = await http('/v1/usage?from_date=2025-02-30');
    expect(badDay.status).toBe(400);
    expect(badDay.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', param: 'from_date' });
    expect((await http('/v1/usage?to_date=yesterday')).body.error.param).toBe('to_date');
    expect((await http('/v1/usage?from_date=2025-03-02&to_date=2025-03-01')).body.error.param).toBe('from_date');
    expect((await http('/v1/usage?group_by=week')).body.error.param).toBe('group_by');
  });

  it('replaying the same ledger entries changes nothing', async () => {
    const before = await Promise.all([http('/v1/usage?group_by=key'), http('/v1/jobs?limit=100')]);
    const events = await gateway.database.db.selectFrom('usage_events').selectAll().where('org_id', '=', gateway.orgId).execute();
    expect(events).toHaveLength(attempts.a.length);
    const replay: LedgerEntry[] = events.map((row) => ({ type: 'usage', record: usageRecordOf(row) }));
    for (const id of jobIds.a) replay.push({ type: 'job', record: (await findJob(gateway.database.db, gateway.orgId, id))! });
    await appendLedgerEntries(redis, gateway.prefix, replay);
    await eventually('the ledger to consume the replayed entries', async () => (await redis.xlen(ledgerStreamKey(gateway.prefix))) === 0);
    expect(await redis.xlen(ledgerStreamKey(gateway.prefix))).toBe(0);

    const after = await Promise.all([http('/v1/usage?group_by=key'), http('/v1/jobs?limit=100')]);
    expect(after[0].body).toEqual(before[0].body);
    expect(after[1].body).toEqual(before[1].body);
    const count = await gateway.database.db
      .selectFrom('usage_events')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    expect(Number(count.count)).toBe(attempts.a.length + attempts.b.length);
  });
});

describe('finished jobs from Postgres', () => {
  it('render exactly like the live job object from Redis', async () => {
    for (const id of jobIds.a) {
      const live = await http(`/v1/jobs/${id}`);
      expect(live.status).toBe(200);
      expect(await findFinishedJob(gateway.database.db, gateway.config, gateway.orgId, id)).toEqual(live.body);
    }
  });

  it("lists the org's jobs newest first, filtered and paged, in OpenAI's list shape", async () => {
    const all = await http('/v1/jobs');
    expect(all.body).toMatchObject({ object: 'list', has_more: false });
    expect(all.body.data.map((job: { id: string }) => job.id).sort()).toEqual([...jobIds.a].sort());
    expect(all.body.first_id).toBe(all.body.data[0].id);
    expect(all.body.last_id).toBe(all.body.data.at(-1).id);
    const async = all.body.data.find((job: { id: string }) => job.id === jobIds.a[2]);
    expect(async).toMatchObject({ object: 'job', status: 'completed', model: 'gpt-4o-mini', provider: 'openai', metadata: { team: 'finance' } });

    const failed = await http('/v1/jobs?status=failed');
    expect(failed.body.data.map((job: { id: string }) => job.id)).toEqual([jobIds.a[3]]);
    expect(failed.body.data[0].error).toMatchObject({ type: 'invalid_request_error' });

    const seen: string[] = [];
    let page = await http('/v1/jobs?limit=2');
    seen.push(...page.body.data.map((job: { id: string }) => job.id));
    while (page.body.has_more) {
      page = await http(`/v1/jobs?limit=2&after=${page.body.last_id}`);
      seen.push(...page.body.data.map((job: { id: string }) => job.id));
    }
    expect(seen).toEqual(all.body.data.map((job: { id: string }) => job.id));

    expect((await http('/v1/jobs?limit=0')).body.error.param).toBe('limit');
    expect((await http('/v1/jobs?limit=101')).body.error.param).toBe('limit');
    expect((await http('/v1/jobs?status=done')).body.error.param).toBe('status');
  });

  it("never shows one org the other's jobs", async () => {
    const listedForB = await http('/v1/jobs', { key: orgB.apiKey });
    expect(listedForB.body.data.map((job: { id: string }) => job.id)).toEqual(jobIds.b);
    expect((await http(`/v1/jobs/${jobIds.b[0]}`)).status).toBe(404);
    expect(await findFinishedJob(gateway.database.db, gateway.config, gateway.orgId, jobIds.b[0]!)).toBeUndefined();
    expect(await findFinishedJob(gateway.database.db, gateway.config, orgB.orgId, jobIds.b[0]!)).toMatchObject({ id: jobIds.b[0], status: 'completed' });
  });
});

function usageRecordOf(row: UsageEventRow): UsageRecord {
  return {
    requestId: row.request_id,
    attempt: row.attempt,
    orgId: row.org_id,
    keyId: row.key_id,
    provider: row.provider,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedInputTokens: row.cached_input_tokens,
    estimated: row.estimated,
    priceVersion: row.price_version,
    costUsd: normalizeUsd(row.cost_usd),
    durationMs: row.duration_ms,
    queueMs: row.queue_ms,
    status: row.status as UsageRecord['status'],
    createdAt: row.created_at.getTime(),
  };
}
