import { findJob, listJobs, monthToDateSpend, usageReport, type Database, type Kysely } from '@switchyard/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUsd, type LedgerEntry } from '@switchyard/core';
import { engines } from '../../../packages/db/src/test-engines.ts';
import { jobRecord, requestEntries, usageRecord } from './test-records.ts';
import { mergeJobRecords, writeLedgerBatch } from './write-ledger-batch.ts';

async function dump(db: Kysely<Database>, orgId: string) {
  return {
    events: await db.selectFrom('usage_events').selectAll().where('org_id', '=', orgId).orderBy('request_id').orderBy('attempt').execute(),
    daily: await db.selectFrom('usage_daily').selectAll().where('org_id', '=', orgId).orderBy('key_id').orderBy('model').orderBy('day').execute(),
    jobs: await db.selectFrom('jobs').selectAll().where('org_id', '=', orgId).orderBy('id').execute(),
  };
}

function exactSum(entries: LedgerEntry[]): string {
  return entries.reduce((total, entry) => (entry.type === 'usage' ? addUsd(total, entry.record.costUsd) : total), '0');
}

describe.each(engines)('ledger writes on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;
  beforeAll(async () => {
    handle = await engine.open();
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  it('records each attempt once however often a batch is replayed', async () => {
    const entries = requestEntries('org_replay', 12);
    const first = await writeLedgerBatch(handle.db, entries);
    expect(first.insertedUsage).toBe(16);
    const before = await dump(handle.db, 'org_replay');
    expect(before.events).toHaveLength(16);
    expect(before.jobs).toHaveLength(12);

    expect(first.finished.map((row) => row.id).sort()).toEqual(
      before.jobs.filter((job) => job.status !== 'queued' && job.status !== 'in_progress').map((job) => job.id),
    );
    expect(first.finished.length).toBeGreaterThan(0);
    const replay = await writeLedgerBatch(handle.db, entries);
    expect(replay.insertedUsage).toBe(0);
    expect(replay.finished).toEqual([]);
    // A batch overlapping the first, with a duplicate inside itself.
    await writeLedgerBatch(handle.db, [...entries.slice(5, 9), ...entries.slice(5, 9)]);
    expect(await dump(handle.db, 'org_replay')).toEqual(before);
  });

  it('moves batch lines and their batch counts once per line, whatever is replayed', async () => {
    const batchId = 'batch_ledgercounts';
    await handle.db
      .insertInto('batches')
      .values({ id: batchId, org_id: 'org_batch', key_id: 'key', endpoint: '/v1/chat/completions', completion_window: '24h', status: 'in_progress', total: 4 })
      .execute();
    await handle.db
      .insertInto('batch_lines')
      .values([0, 1, 2, 3].map((index) => ({ batch_id: batchId, line_index: index, custom_id: `c${index}`, status: index === 3 ? 'cancelled' : 'queued' })))
      .execute();
    const line = (index: number, status: 'completed' | 'failed') =>
      ({ type: 'job', record: jobRecord({ id: `${batchId}-${index}`, orgId: 'org_batch', mode: 'batch', status, batchId, customId: `c${index}` }) }) as const;
    // Line 3 was closed by the engine (cancelled before it ran): a late job result counts nothing.
    const entries: LedgerEntry[] = [line(0, 'completed'), line(1, 'failed'), line(3, 'completed')];
    await writeLedgerBatch(handle.db, entries);
    await writeLedgerBatch(handle.db, entries);
    await writeLedgerBatch(handle.db, [line(2, 'completed'), line(0, 'completed')]);
    const batch = await handle.db.selectFrom('batches').selectAll().where('id', '=', batchId).executeTakeFirstOrThrow();
    expect({ completed: batch.completed, failed: batch.failed, cancelled: batch.cancelled }).toEqual({ completed: 2, failed: 1, cancelled: 0 });
    const lines = await handle.db.selectFrom('batch_lines').select(['line_index', 'status']).where('batch_id', '=', batchId).orderBy('line_index').execute();
    expect(lines.map((row) => row.status)).toEqual(['completed', 'failed', 'completed', 'cancelled']);
  });

  it('reports totals that equal the exact sum of the recorded costs, for its own org only', async () => {
    const entriesA = requestEntries('org_a', 30);
    const entriesB = requestEntries('org_b', 7);
    await writeLedgerBatch(handle.db, entriesA.slice(0, 40));
    await writeLedgerBatch(handle.db, [...entriesB, ...entriesA.slice(40)]);

    const report = await usageReport(handle.db, 'org_a', { fromDate: '2025-03-10', toDate: '2025-03-11', groupBy: 'day' });
    const expected = exactSum(entriesA);
    expect(report.total_cost_exact).toBe(expected);
    expect(report.total_cost).toBe(Number(Number(expected).toFixed(6)));
    expect(report.total_requests).toBe(30);
    const usage = entriesA.flatMap((entry) => (entry.type === 'usage' ? [entry.record] : []));
    expect(report.total_input_tokens).toBe(usage.reduce((total, record) => total + record.inputTokens, 0));
    expect(report.total_output_tokens).toBe(usage.reduce((total, record) => total + record.outputTokens, 0));

    expect(report.by_model.map((row) => row.model).sort()).toEqual(['gpt-4o-mini', 'mock-fast', 'mock-slow']);
    expect(report.by_model.reduce((total, row) => addUsd(total, row.total_cost_exact), '0')).toBe(expected);
    const fast = report.by_model.find((row) => row.model === 'mock-fast')!;
    expect(fast.request_count).toBe(10);
    const fastDurations = usage.filter((record) => record.model === 'mock-fast').map((record) => record.durationMs);
    expect(fast.avg_duration_ms).toBe(Math.round(fastDurations.reduce((a, b) => a + b, 0) / fastDurations.length));

    // Requests straddle midnight: 10 seconds on the 10th, the rest on the 11th (UTC).
    expect(report.by_day?.map((row) => row.date)).toEqual(['2025-03-10', '2025-03-11']);
    expect(report.by_day?.reduce((total, row) => total + row.request_count, 0)).toBe(30);
    expect(report.by_day?.reduce((total, row) => addUsd(total, row.total_cost_exact), '0')).toBe(expected);

    const onlyTenth = await usageReport(handle.db, 'org_a', { fromDate: '2025-03-10', toDate: '2025-03-10' });
    expect(onlyTenth.total_requests).toBe(report.by_day?.[0]?.request_count);

    const reportB = await usageReport(handle.db, 'org_b', { fromDate: '2025-03-01', toDate: '2025-03-31', groupBy: 'key' });
    expect(reportB.total_cost_exact).toBe(exactSum(entriesB));
    expect(reportB.by_key?.map((row) => row.key_id)).toEqual(['org_b-key-a', 'org_b-key-b']);

    expect(await monthToDateSpend(handle.db, 'org_a', Date.UTC(2025, 2, 31))).toBe(expected);
    expect(await monthToDateSpend(handle.db, 'org_a', Date.UTC(2025, 3, 1))).toBe('0');

    const empty = await usageReport(handle.db, 'org_none', { fromDate: '2025-03-01', toDate: '2025-03-31' });
    expect(empty).toMatchObject({ total_requests: 0, total_cost: 0, total_cost_exact: '0', by_model: [] });
    await expect(usageReport(handle.db, 'org_a', { fromDate: '2025-02-30', toDate: '2025-03-01' })).rejects.toThrow(RangeError);
  });

  it('never shows one org the jobs of another', async () => {
    await writeLedgerBatch(handle.db, [
      { type: 'job', record: jobRecord({ id: 'req_iso_a', orgId: 'org_iso_a' }) },
      { type: 'job', record: jobRecord({ id: 'req_iso_b', orgId: 'org_iso_b' }) },
    ]);
    expect((await findJob(handle.db, 'org_iso_a', 'req_iso_a'))?.id).toBe('req_iso_a');
    expect(await findJob(handle.db, 'org_iso_a', 'req_iso_b')).toBeUndefined();
    expect((await listJobs(handle.db, 'org_iso_a', { limit: 10 })).data.map((job) => job.id)).toEqual(['req_iso_a']);
    expect((await listJobs(handle.db, 'org_iso_a', { limit: 10, after: 'req_iso_b' })).data).toEqual([]);
  });

  it('lets a finished status win over queued and in_progress, whatever the arrival order', async () => {
    const base = { orgId: 'org_status', createdAt: 1_000, completedAt: undefined };
    const queued = await writeLedgerBatch(handle.db, [{ type: 'job', record: jobRecord({ ...base, id: 'j1', status: 'queued', metadata: { team: 'x' } }) }]);
    const completed = await writeLedgerBatch(handle.db, [
      { type: 'job', record: jobRecord({ ...base, id: 'j1', status: 'completed', output: { text: 'hi' }, costUsd: '0.5', completedAt: 3_000, attempts: 2 }) },
    ]);
    const late = await writeLedgerBatch(handle.db, [{ type: 'job', record: jobRecord({ ...base, id: 'j1', status: 'in_progress', startedAt: 2_000 }) }]);
    const second = await writeLedgerBatch(handle.db, [{ type: 'job', record: jobRecord({ ...base, id: 'j1', status: 'failed', completedAt: 4_000 }) }]);
    // The job became final once: only the write that made it so reports it (what the ledger needs of it; the row is below).
    expect([queued.finished, late.finished, second.finished]).toEqual([[], [], []]);
    expect(completed.finished).toEqual([{ id: 'j1', org_id: 'org_status', status: 'completed', mode: 'async', batch_id: null }]);
    expect(await findJob(handle.db, 'org_status', 'j1')).toEqual({
      id: 'j1',
      orgId: 'org_status',
      keyId: 'org_status-key',
      endpoint: '/v1/chat/completions',
      model: 'fast',
      mode: 'async',
      status: 'completed',
      output: { text: 'hi' },
      metadata: { team: 'x' },
      costUsd: '0.5',
      attempts: 2,
      createdAt: 1_000,
      completedAt: 3_000,
    });

    // The same sequence inside one batch ends the same way.
    await writeLedgerBatch(handle.db, [
      { type: 'job', record: jobRecord({ ...base, id: 'j2', status: 'in_progress', startedAt: 2_000 }) },
      { type: 'job', record: jobRecord({ ...base, id: 'j2', status: 'expired', completedAt: 5_000 }) },
      { type: 'job', record: jobRecord({ ...base, id: 'j2', status: 'completed', completedAt: 6_000 }) },
    ]);
    expect(await findJob(handle.db, 'org_status', 'j2')).toMatchObject({ status: 'expired', startedAt: 2_000, completedAt: 5_000 });
  });

  it('pages jobs newest first and filters by status', async () => {
    const orgId = 'org_pages';
    await writeLedgerBatch(
      handle.db,
      [0, 1, 2, 3, 4].map((index) => ({
        type: 'job' as const,
        record: jobRecord({ id: `p${index}`, orgId, createdAt: index < 2 ? 10_000 : 10_000 + index, status: index === 3 ? 'failed' : 'completed' }),
      })),
    );
    const first = await listJobs(handle.db, orgId, { limit: 2 });
    expect(first).toMatchObject({ hasMore: true });
    expect(first.data.map((job) => job.id)).toEqual(['p4', 'p3']);
    const second = await listJobs(handle.db, orgId, { limit: 2, after: 'p3' });
    expect(second.data.map((job) => job.id)).toEqual(['p2', 'p0']);
    const third = await listJobs(handle.db, orgId, { limit: 2, after: 'p0' });
    expect(third).toMatchObject({ hasMore: false });
    expect(third.data.map((job) => job.id)).toEqual(['p1']);
    expect((await listJobs(handle.db, orgId, { limit: 10, status: 'failed' })).data.map((job) => job.id)).toEqual(['p3']);
  });

  it('rolls up only the events it inserts', async () => {
    const record = usageRecord({ requestId: 'r_roll', orgId: 'org_roll', costUsd: '0.000000000000001' });
    await writeLedgerBatch(handle.db, [
      { type: 'usage', record },
      { type: 'usage', record },
    ]);
    await writeLedgerBatch(handle.db, [
      { type: 'usage', record },
      { type: 'usage', record: { ...record, attempt: 2 } },
    ]);
    const daily = await handle.db.selectFrom('usage_daily').selectAll().where('org_id', '=', 'org_roll').execute();
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ attempts: '2', input_tokens: '200', cost_usd: '0.000000000000002', day: '2025-03-10' });
  });

  it('stores every field of a job and of a usage record exactly as given', async () => {
    const orgId = 'org_roundtrip';
    const job = jobRecord({
      id: 'r_roundtrip',
      orgId,
      keyId: 'key_roundtrip',
      endpoint: '/v1/messages',
      model: 'claude',
      servedProvider: 'anthropic',
      servedModel: 'claude-sonnet',
      mode: 'async',
      status: 'completed',
      attempts: 3,
      createdAt: Date.UTC(2025, 2, 10, 12, 0, 0, 123),
      startedAt: Date.UTC(2025, 2, 10, 12, 0, 0, 456),
      completedAt: Date.UTC(2025, 2, 10, 12, 0, 1, 789),
      queueMs: 333,
      durationMs: 1333,
      costUsd: '1.000000000000001',
      output: { id: 'msg_1', content: [{ type: 'text', text: 'a "quoted" \\ answer ✓' }], nested: { n: 1.5, flag: false, none: null } },
      metadata: { team: 'blog', 'with space': 'x' },
      webhookUrl: 'https://hooks.example.com/a?b=c',
      webhookEvents: ['job.completed', 'job.failed'],
      usage: { inputTokens: 10, outputTokens: 20 },
      condensed: 'truncated',
      batchId: 'batch_roundtrip',
      customId: 'line-7',
    });
    const usage = usageRecord({
      requestId: 'r_roundtrip',
      orgId,
      attempt: 2,
      cachedInputTokens: 4,
      cacheWriteInputTokens: 6,
      estimated: true,
      costUsd: '0.000000000000001',
      createdAt: Date.UTC(2025, 2, 10, 12, 0, 1, 789),
      cacheHit: false,
    });
    await writeLedgerBatch(handle.db, [
      { type: 'job', record: job },
      { type: 'usage', record: usage },
    ]);
    expect(await findJob(handle.db, orgId, 'r_roundtrip')).toEqual(job);
    const event = await handle.db.selectFrom('usage_events').selectAll().where('org_id', '=', orgId).executeTakeFirstOrThrow();
    expect({ ...event, cost_usd: Number(event.cost_usd) }).toEqual({
      request_id: 'r_roundtrip',
      attempt: 2,
      org_id: orgId,
      key_id: usage.keyId,
      provider: 'mock',
      model: 'mock-fast',
      input_tokens: 100,
      output_tokens: 50,
      cached_input_tokens: 4,
      cache_write_input_tokens: expect.anything(),
      estimated: true,
      price_version: 'test',
      cost_usd: 1e-15,
      duration_ms: 100,
      queue_ms: 5,
      status: 'completed',
      created_at: new Date(Date.UTC(2025, 2, 10, 12, 0, 1, 789)),
      cache_hit: false,
    });
    expect(Number(event.cache_write_input_tokens)).toBe(6);
  });

  it('stores cache writes per attempt and rolls them up, a record without them counting none', async () => {
    const orgId = 'org_cache';
    const written = usageRecord({ requestId: 'r_w1', orgId, inputTokens: 2300, cachedInputTokens: 2048, cacheWriteInputTokens: 188 });
    // Written before cache writes were counted: no cacheWriteInputTokens at all.
    const old = usageRecord({ requestId: 'r_old', orgId, inputTokens: 10 });
    await writeLedgerBatch(handle.db, [
      { type: 'usage', record: written },
      { type: 'usage', record: old },
    ]);
    await writeLedgerBatch(handle.db, [
      { type: 'usage', record: { ...written, requestId: 'r_w2', cacheWriteInputTokens: 5000 } },
      { type: 'usage', record: written },
    ]);
    const events = await handle.db
      .selectFrom('usage_events')
      .select(['request_id', 'cache_write_input_tokens'])
      .where('org_id', '=', orgId)
      .orderBy('request_id')
      .execute();
    expect(events).toEqual([
      { request_id: 'r_old', cache_write_input_tokens: '0' },
      { request_id: 'r_w1', cache_write_input_tokens: '188' },
      { request_id: 'r_w2', cache_write_input_tokens: '5000' },
    ]);
    const daily = await handle.db.selectFrom('usage_daily').selectAll().where('org_id', '=', orgId).execute();
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ attempts: '3', input_tokens: '4610', cached_input_tokens: '4096', cache_write_input_tokens: '5188' });
  });
});

describe('mergeJobRecords', () => {
  it('keeps the first final record and the fields only earlier records had', () => {
    const merged = mergeJobRecords([
      jobRecord({ id: 'm', orgId: 'o', status: 'queued', metadata: { a: '1' }, completedAt: undefined, createdAt: 5 }),
      jobRecord({ id: 'm', orgId: 'o', status: 'completed', completedAt: 9, createdAt: 7 }),
      jobRecord({ id: 'm', orgId: 'o', status: 'failed', completedAt: 10 }),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ status: 'completed', metadata: { a: '1' }, completedAt: 9, createdAt: 5 });
  });
});

describe.each(engines)('text Postgres cannot hold, on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;
  beforeAll(async () => {
    handle = await engine.open();
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  it('stores U+0000 and lone surrogates as U+FFFD in every text and JSON column', async () => {
    const orgId = 'org_nul';
    await writeLedgerBatch(handle.db, [
      { type: 'usage', record: usageRecord({ requestId: 'r_nul', orgId, model: 'mock\u0000fast', priceVersion: 'v\uD800' }) },
      {
        type: 'job',
        record: jobRecord({
          id: 'r_nul',
          orgId,
          customId: 'c\u0000',
          metadata: { 'team\u0000': 'a\u0000b', echo: 'x\uDC00y' },
          output: { choices: [{ message: { content: 'upstream \u0000 said \uD83D' } }] },
          error: { code: 'upstream_error', message: 'bad \u0000 byte' },
        }),
      },
    ]);
    const job = await findJob(handle.db, orgId, 'r_nul');
    expect(job).toMatchObject({
      customId: 'c\uFFFD',
      metadata: { 'team\uFFFD': 'a\uFFFDb', echo: 'x\uFFFDy' },
      output: { choices: [{ message: { content: 'upstream \uFFFD said \uFFFD' } }] },
      error: { code: 'upstream_error', message: 'bad \uFFFD byte' },
    });
    const event = await handle.db.selectFrom('usage_events').select(['model', 'price_version']).where('org_id', '=', orgId).executeTakeFirstOrThrow();
    expect(event).toEqual({ model: 'mock\uFFFDfast', price_version: 'v\uFFFD' });
  });
});
