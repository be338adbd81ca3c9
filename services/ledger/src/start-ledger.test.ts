import { randomBytes } from 'node:crypto';
import { createDb, migrateToLatest, usageReport, type DbHandle } from '@switchyard/db';
import { createSilentLogger } from '@switchyard/logger';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUsd, type LedgerEntry } from '@switchyard/core';
import { appendLedgerEntries, ledgerDeadLetterKey, ledgerFailuresKey, ledgerStreamKey, readLedgerBatch, readMonthToDateSpend } from '@switchyard/queue';
import { createTestDatabase, eventually, type TestDatabase } from '@switchyard/testing';
import { startLedger, type Ledger } from './start-ledger.ts';
import { requestEntries } from './test-records.ts';
import { writeLedgerBatch } from './write-ledger-batch.ts';

function exactSum(entries: LedgerEntry[]): string {
  return entries.reduce((total, entry) => (entry.type === 'usage' ? addUsd(total, entry.record.costUsd) : total), '0');
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  await eventually('the ledger stream to drain', condition);
}

describe('startLedger', () => {
  let redis: Redis;
  let database: TestDatabase;
  let handle: DbHandle;
  const prefixes: string[] = [];
  const ledgers: Ledger[] = [];
  const logger = createSilentLogger();

  const newPrefix = () => {
    const prefix = `test-ledger-${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    return prefix;
  };
  const start = async (prefix: string, options: { batchSize?: number; claimIdleMs?: number; lingerMs?: number } = {}) => {
    const ledger = await startLedger({ redis, db: handle.db, logger, prefix, blockMs: 100, ...options });
    ledgers.push(ledger);
    return ledger;
  };
  const streamDrained = (prefix: string) => async () => (await redis.xlen(ledgerStreamKey(prefix))) === 0;

  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    database = await createTestDatabase();
    handle = await createDb({ url: database.url });
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await Promise.all(ledgers.map((ledger) => ledger.stop()));
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
    await handle?.close();
    await database?.drop();
  });

  it('writes every entry, acknowledges it and caches the exact month-to-date spend', async () => {
    const prefix = newPrefix();
    const orgId = `org_${prefix}`;
    const entries = requestEntries(orgId, 25);
    await appendLedgerEntries(redis, prefix, entries);
    const ledger = await start(prefix, { batchSize: 7 });
    await until(streamDrained(prefix));
    await ledger.stop();

    const report = await usageReport(handle.db, orgId, { fromDate: '2025-03-01', toDate: '2025-03-31' });
    expect(report.total_requests).toBe(25);
    expect(report.total_cost_exact).toBe(exactSum(entries));
    expect(await readMonthToDateSpend(redis, prefix, orgId, Date.UTC(2025, 2, 20))).toBe(exactSum(entries));
    const jobs = await handle.db.selectFrom('jobs').select('id').where('org_id', '=', orgId).execute();
    expect(jobs).toHaveLength(25);
  });

  it('lingers after a batch that was not full, so the entries appended meanwhile share one batch', async () => {
    const prefix = newPrefix();
    const orgId = `org_${prefix}`;
    const requestOf = (entry: LedgerEntry) => (entry.type === 'usage' ? entry.record.requestId : entry.record.id);
    const entries = requestEntries(orgId, 4);
    const [first, ...rest] = [...new Set(entries.map(requestOf))].map((requestId) => entries.filter((entry) => requestOf(entry) === requestId));
    // Long enough that the three appends below land inside it however slow the machine is.
    const ledger = await start(prefix, { lingerMs: 3000 });
    await appendLedgerEntries(redis, prefix, first!);
    await until(streamDrained(prefix));
    for (const entries of rest) await appendLedgerEntries(redis, prefix, entries);
    expect(await redis.xlen(ledgerStreamKey(prefix))).toBe(rest.flat().length);
    await until(streamDrained(prefix));

    const batches = (await ledger.metrics.batchEntries.get()).values;
    expect(batches.find((value) => value.metricName === 'switchyard_ledger_batch_entries_count')?.value).toBe(2);
    expect(batches.find((value) => value.metricName === 'switchyard_ledger_batch_entries_sum')?.value).toBe(first!.length + rest.flat().length);
    const jobs = await handle.db.selectFrom('jobs').select('id').where('org_id', '=', orgId).execute();
    expect(jobs).toHaveLength(4);
  });

  it('neither loses nor duplicates a batch whose ledger died before acknowledging it', async () => {
    const prefix = newPrefix();
    const orgId = `org_${prefix}`;
    const entries = requestEntries(orgId, 20);
    await appendLedgerEntries(redis, prefix, entries);

    // One ledger dies after reading its batch, another after committing but before the ack.
    const readOnly = await readLedgerBatch(redis, prefix, 'died-before-commit', { count: 10, blockMs: 10 });
    const committed = await readLedgerBatch(redis, prefix, 'died-before-ack', { count: 10, blockMs: 10 });
    expect(readOnly.messages).toHaveLength(10);
    expect(committed.messages).toHaveLength(10);
    await writeLedgerBatch(
      handle.db,
      committed.messages.map((message) => message.entry),
    );

    await start(prefix, { claimIdleMs: 50 });
    await until(streamDrained(prefix));

    const events = await handle.db.selectFrom('usage_events').select(['request_id', 'attempt']).where('org_id', '=', orgId).execute();
    const expectedUsage = entries.filter((entry) => entry.type === 'usage').length;
    expect(events).toHaveLength(expectedUsage);
    const report = await usageReport(handle.db, orgId, { fromDate: '2025-03-10', toDate: '2025-03-11' });
    expect(report.total_requests).toBe(20);
    expect(report.total_cost_exact).toBe(exactSum(entries));
    const daily = await handle.db
      .selectFrom('usage_daily')
      .select((eb) => eb.fn.sum<string>('attempts').as('attempts'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    expect(Number(daily.attempts)).toBe(expectedUsage);
    expect(await readMonthToDateSpend(redis, prefix, orgId, Date.UTC(2025, 2, 1))).toBe(exactSum(entries));
  });

  it('moves an invalid entry aside and keeps going', async () => {
    const prefix = newPrefix();
    const orgId = `org_${prefix}`;
    await redis.xadd(ledgerStreamKey(prefix), '*', 'entry', JSON.stringify({ type: 'usage', record: { requestId: 'broken' } }));
    const entries = requestEntries(orgId, 3);
    await appendLedgerEntries(redis, prefix, entries);
    const ledger = await start(prefix);
    await until(streamDrained(prefix));
    expect(await redis.xlen(ledgerDeadLetterKey(prefix))).toBe(1);
    const metrics = await ledger.metrics.registry.metrics();
    expect(metrics).toMatch(/^switchyard_ledger_dead_letters_total\{reason="invalid"\} 1$/m);
    expect(metrics).toMatch(/^switchyard_ledger_dead_letters_total\{reason="unwritable"\} 0$/m);
    const report = await usageReport(handle.db, orgId, { fromDate: '2025-03-10', toDate: '2025-03-11' });
    expect(report.total_requests).toBe(3);
  });

  it('keeps a batch pending while the database is unavailable and writes it once it is back', async () => {
    const prefix = newPrefix();
    const orgId = `org_${prefix}`;
    const broken = await createDb({ url: 'postgres://postgres@127.0.0.1:1/none' });
    const ledger = await startLedger({ redis, db: broken.db, logger, prefix, blockMs: 100 });
    const entries = requestEntries(orgId, 4);
    await appendLedgerEntries(redis, prefix, entries);
    // The ledger took the batch (it is pending on its consumer) and its write failed:
    // read, write and acknowledge come in that order, and nothing was acknowledged.
    const pending = async () => {
      const [count, , , consumers] = (await redis.xpending(ledgerStreamKey(prefix), 'ledger')) as [number, unknown, unknown, [string, string][] | null];
      return { count, consumers: consumers ?? [] };
    };
    await eventually('the ledger to take the batch', async () => (await pending()).count === entries.length);
    await ledger.stop();
    await broken.close();
    expect(await redis.xlen(ledgerStreamKey(prefix))).toBe(entries.length);
    expect(await pending()).toEqual({ count: entries.length, consumers: [[ledger.consumer, String(entries.length)]] });
    expect(await handle.db.selectFrom('usage_events').select('request_id').where('org_id', '=', orgId).execute()).toEqual([]);
    // An outage is no entry's fault: nothing is counted against the entries, nothing dead-lettered.
    expect(await redis.exists(ledgerFailuresKey(prefix))).toBe(0);
    expect(await redis.xlen(ledgerDeadLetterKey(prefix))).toBe(0);

    await start(prefix, { claimIdleMs: 50 });
    await until(streamDrained(prefix));
    const report = await usageReport(handle.db, orgId, { fromDate: '2025-03-10', toDate: '2025-03-11' });
    expect(report.total_cost_exact).toBe(exactSum(entries));
    // Written exactly once: one row per usage entry, one job per request, nothing left pending.
    const events = await handle.db.selectFrom('usage_events').select(['request_id', 'attempt']).where('org_id', '=', orgId).execute();
    expect(events).toHaveLength(entries.filter((entry) => entry.type === 'usage').length);
    expect(await handle.db.selectFrom('jobs').select('id').where('org_id', '=', orgId).execute()).toHaveLength(4);
    expect((await pending()).count).toBe(0);
  });
});
