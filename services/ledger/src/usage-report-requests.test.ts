// How the usage report counts client requests when a request took several attempts: once,
// for the model that served it, so every grouping adds up to the total.
import { usageReport } from '@switchyard/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry, UsageRecord } from '@switchyard/core';
import { engines } from '../../../packages/db/src/test-engines.ts';
import { usageRecord } from './test-records.ts';
import { writeLedgerBatch } from './write-ledger-batch.ts';

const orgId = 'org_fallback';
const lateOnTheTenth = Date.UTC(2025, 2, 10, 23, 59, 59, 999);
const noonOnTheTenth = Date.UTC(2025, 2, 10, 12);

function attempt(requestId: string, attemptNumber: number, model: string, status: UsageRecord['status'], createdAt = noonOnTheTenth): LedgerEntry {
  const failed = status !== 'completed';
  return {
    type: 'usage',
    record: usageRecord({
      requestId,
      orgId,
      attempt: attemptNumber,
      model,
      status,
      createdAt,
      inputTokens: failed ? 0 : 100,
      outputTokens: failed ? 0 : 50,
      costUsd: failed ? '0' : '0.25',
    }),
  };
}

const sumOf = (rows: Array<{ request_count: number }> | undefined) => (rows ?? []).reduce((total, row) => total + row.request_count, 0);

describe.each(engines)('request counts on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;
  beforeAll(async () => {
    handle = await engine.open();
    await writeLedgerBatch(handle.db, [
      // First route fails, the fallback serves.
      attempt('req_fallback', 1, 'primary-model', 'failed'),
      attempt('req_fallback', 2, 'backup-model', 'completed'),
      // Served at once by the primary.
      attempt('req_direct', 1, 'primary-model', 'completed'),
      // Failed on every route: counted for the last model tried.
      attempt('req_lost', 1, 'primary-model', 'failed'),
      attempt('req_lost', 2, 'backup-model', 'failed'),
      // Failed over across midnight: served on the 11th.
      attempt('req_midnight', 1, 'primary-model', 'failed', lateOnTheTenth),
      attempt('req_midnight', 2, 'backup-model', 'completed', lateOnTheTenth + 1),
    ]);
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  it('counts a failed-over request once, for the model that served it', async () => {
    const report = await usageReport(handle.db, orgId, { fromDate: '2025-03-10', toDate: '2025-03-11' });
    expect(report.total_requests).toBe(4);
    const byModel = Object.fromEntries(report.by_model.map((row) => [row.model, { requests: row.request_count, attempts: row.attempt_count }]));
    expect(byModel).toEqual({
      'primary-model': { requests: 1, attempts: 4 },
      'backup-model': { requests: 3, attempts: 3 },
    });
    expect(sumOf(report.by_model)).toBe(report.total_requests);
    expect(report.total_attempts).toBe(7);
  });

  it('adds up to the total in every grouping, and in a range that cuts a request in two', async () => {
    const byDay = await usageReport(handle.db, orgId, { fromDate: '2025-03-10', toDate: '2025-03-11', groupBy: 'day' });
    expect(byDay.by_day?.map((row) => [row.date, row.request_count])).toEqual([
      ['2025-03-10', 3],
      ['2025-03-11', 1],
    ]);
    expect(sumOf(byDay.by_day)).toBe(byDay.total_requests);
    const byKey = await usageReport(handle.db, orgId, { fromDate: '2025-03-10', toDate: '2025-03-11', groupBy: 'key' });
    expect(sumOf(byKey.by_key)).toBe(byKey.total_requests);

    // Only the failed first attempt of req_midnight falls on the 10th: there it counts for the primary.
    const tenth = await usageReport(handle.db, orgId, { fromDate: '2025-03-10', toDate: '2025-03-10' });
    expect(tenth.total_requests).toBe(4);
    expect(tenth.by_model.find((row) => row.model === 'primary-model')?.request_count).toBe(2);
    expect(sumOf(tenth.by_model)).toBe(tenth.total_requests);
    const eleventh = await usageReport(handle.db, orgId, { fromDate: '2025-03-11', toDate: '2025-03-11' });
    expect(eleventh.by_model.map((row) => [row.model, row.request_count])).toEqual([['backup-model', 1]]);
  });
});
