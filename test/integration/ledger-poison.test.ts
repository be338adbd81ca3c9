// A record Postgres refuses must never stop the ledger: the entries around it are written,
// month-to-date spend keeps moving (so budgets keep tripping), and after a bounded number
// of failed writes the record goes to the dead-letter stream, logged and counted.
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUsd, GatewayError, type LedgerEntry } from '@switchyard/core';
import { createDb, migrateToLatest, usageReport, type DbHandle } from '@switchyard/db';
import { createLedgerMetrics, startLedger, type Ledger, type LedgerDeps } from '@switchyard/ledger';
import { createLogger, createSilentLogger } from '@switchyard/logger';
import { appendLedgerEntries, appendLedgerGroup, ledgerDeadLetterKey, ledgerFailuresKey, ledgerStreamKey, readMonthToDateSpend } from '@switchyard/queue';
import { createTestDatabase, deletePrefix, testRedis, uniquePrefix, type TestDatabase } from '@switchyard/testing';
import { createBudgetCheck } from '../../services/api/src/admission/budget.ts';
import { requestEntries, usageRecord } from '../../services/ledger/src/test-records.ts';

let redisUrl: string;
let redis: Redis;
let database: TestDatabase;
let handle: DbHandle;
const prefixes: string[] = [];
const ledgers: Ledger[] = [];
const inMarch = Date.UTC(2025, 2, 20);

beforeAll(async () => {
  redisUrl = (await testRedis()).url;
  redis = new Redis(redisUrl);
  database = await createTestDatabase();
  handle = await createDb({ url: database.url });
  await migrateToLatest(handle.db);
});

afterAll(async () => {
  await Promise.all(ledgers.map((ledger) => ledger.stop()));
  for (const prefix of prefixes) await deletePrefix(redisUrl, prefix);
  await redis?.quit();
  await handle?.close();
  await database?.drop();
});

function newPrefix(): string {
  const prefix = uniquePrefix('ledgerpoison');
  prefixes.push(prefix);
  return prefix;
}

async function start(options: Omit<LedgerDeps, 'redis' | 'db' | 'logger'> & Partial<Pick<LedgerDeps, 'logger'>>): Promise<Ledger> {
  const ledger = await startLedger({ redis, db: handle.db, logger: createSilentLogger(), blockMs: 50, entryRetryDelayMs: 10, ...options });
  ledgers.push(ledger);
  return ledger;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 800; tries++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not met in time');
}

/** Usage the database refuses whatever the text: 3e9 tokens overflow the integer column. */
function poisonEntry(orgId: string): LedgerEntry {
  return { type: 'usage', record: usageRecord({ requestId: `${orgId}-poison`, orgId, inputTokens: 3_000_000_000 }) };
}

function exactSum(entries: LedgerEntry[]): string {
  return entries.reduce((total, entry) => (entry.type === 'usage' ? addUsd(total, entry.record.costUsd) : total), '0');
}

function principal(orgId: string, monthlyBudgetUsd: string) {
  return { keyId: `${orgId}-key`, orgId, org: { monthlyBudgetUsd, rpmLimit: null, tpmLimit: null } };
}

describe('a record Postgres refuses', () => {
  it('does not hold back the entries behind it while it is being retried', async () => {
    const prefix = newPrefix();
    const poisoned = `${prefix}-poisoned`;
    const other = `${prefix}-other`;
    const [poisonId] = await appendLedgerEntries(redis, prefix, [poisonEntry(poisoned)]);
    // So many failures allowed that the poisoned entry stays pending through the test.
    await start({ prefix, maxEntryFailures: 1_000_000 });
    await until(async () => Number(await redis.hget(ledgerFailuresKey(prefix), poisonId!)) >= 2);

    const entries = requestEntries(other, 12);
    await appendLedgerEntries(redis, prefix, entries);
    await until(async () => (await readMonthToDateSpend(redis, prefix, other, inMarch)) === exactSum(entries));

    const report = await usageReport(handle.db, other, { fromDate: '2025-03-10', toDate: '2025-03-11' });
    expect(report.total_requests).toBe(12);
    expect(report.total_cost_exact).toBe(exactSum(entries));
    // The budget check reads that spend: an org at its budget is refused although the ledger has a poisoned entry.
    const checkBudget = createBudgetCheck({ redis, db: handle.db, prefix, logger: createSilentLogger() });
    const refusal = await checkBudget(principal(other, exactSum(entries)), inMarch).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(GatewayError);
    expect(refusal).toMatchObject({ code: 'budget_exceeded' });
    await expect(checkBudget(principal(other, addUsd(exactSum(entries), '0.01')), inMarch)).resolves.toBeUndefined();

    // Only the poisoned entry is left, still pending, never dead-lettered.
    expect((await redis.xrange(ledgerStreamKey(prefix), '-', '+')).map(([id]) => id)).toEqual([poisonId]);
    expect(await redis.xlen(ledgerDeadLetterKey(prefix))).toBe(0);
  });

  it('goes to the dead-letter stream after the bounded retries, with the reason, an error log line and a metric', async () => {
    const prefix = newPrefix();
    const poisoned = `${prefix}-poisoned`;
    const other = `${prefix}-other`;
    const before = requestEntries(other, 3);
    const after = requestEntries(`${other}-later`, 2);
    // The poisoned record shares its batch with good entries of another org.
    const ids = await appendLedgerEntries(redis, prefix, [...before.slice(0, 2), poisonEntry(poisoned), ...before.slice(2)]);
    const lines: string[] = [];
    const destination = new Writable({
      write: (chunk, _encoding, done) => {
        lines.push(String(chunk));
        done();
      },
    });
    const metrics = createLedgerMetrics();
    await start({ prefix, maxEntryFailures: 3, metrics, logger: createLogger({ level: 'warn', destination }) });
    await until(async () => (await redis.xlen(ledgerDeadLetterKey(prefix))) === 1);
    await appendLedgerEntries(redis, prefix, after);
    await until(async () => (await redis.xlen(ledgerStreamKey(prefix))) === 0);
    await until(async () => (await readMonthToDateSpend(redis, prefix, `${other}-later`, inMarch)) === exactSum(after));

    expect((await usageReport(handle.db, other, { fromDate: '2025-03-10', toDate: '2025-03-11' })).total_cost_exact).toBe(exactSum(before));
    expect(await readMonthToDateSpend(redis, prefix, other, inMarch)).toBe(exactSum(before));
    const poisonedEvents = await handle.db.selectFrom('usage_events').select('request_id').where('org_id', '=', poisoned).execute();
    expect(poisonedEvents).toEqual([]);

    const [dead] = await redis.xrange(ledgerDeadLetterKey(prefix), '-', '+');
    const fields = Object.fromEntries(chunks(dead![1]));
    expect(fields.id).toBe(ids[2]);
    expect(fields.reason).toMatch(/^write failed 3 times: 22003 .*out of range/);
    expect(JSON.parse(fields.entry!)).toEqual(poisonEntry(poisoned));
    expect(await redis.exists(ledgerFailuresKey(prefix))).toBe(0);

    expect(await metrics.registry.metrics()).toMatch(/^switchyard_ledger_dead_letters_total\{reason="unwritable"\} 1$/m);
    const logged = lines.map((line) => JSON.parse(line) as { level: number; alert?: string; deadLettered?: Array<{ id: string }> });
    const alerts = logged.filter((line) => line.alert === 'ledger_dead_letter');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ level: 50, deadLettered: [{ id: ids[2] }] });
  });

  it("takes the finished job's other entries aside with it when they were appended as one group", async () => {
    const prefix = newPrefix();
    const poisoned = `${prefix}-poisoned`;
    const other = `${prefix}-other`;
    // A worker appends a finished job's usage and record as one group; the group beside it is fine.
    const poisonedGroup = [poisonEntry(poisoned), ...requestEntries(poisoned, 1)];
    const goodGroup = requestEntries(other, 2);
    const poisonedId = await appendLedgerGroup(redis, prefix, poisonedGroup);
    await appendLedgerGroup(redis, prefix, goodGroup);
    await start({ prefix, maxEntryFailures: 2 });
    await until(async () => (await redis.xlen(ledgerStreamKey(prefix))) === 0);

    expect((await usageReport(handle.db, other, { fromDate: '2025-03-10', toDate: '2025-03-11' })).total_cost_exact).toBe(exactSum(goodGroup));
    expect(await handle.db.selectFrom('usage_events').select('request_id').where('org_id', '=', poisoned).execute()).toEqual([]);
    expect(await handle.db.selectFrom('jobs').select('id').where('org_id', '=', poisoned).execute()).toEqual([]);
    // Each entry of the group is kept on the dead-letter stream, under the group's id, with the group's reason.
    const dead = (await redis.xrange(ledgerDeadLetterKey(prefix), '-', '+')).map(([, fields]) => Object.fromEntries(chunks(fields)));
    expect(dead.map((fields) => fields.id)).toEqual(poisonedGroup.map(() => poisonedId));
    expect(dead.map((fields) => JSON.parse(fields.entry!))).toEqual(poisonedGroup);
    for (const fields of dead) expect(fields.reason).toMatch(/^write failed 2 times: 22003 /);
    expect(await redis.exists(ledgerFailuresKey(prefix))).toBe(0);
  });

  it('survives a restart: its failure count is kept in Redis, not in the process', async () => {
    const prefix = newPrefix();
    const poisoned = `${prefix}-poisoned`;
    const [poisonId] = await appendLedgerEntries(redis, prefix, [poisonEntry(poisoned)]);
    const first = await start({ prefix, maxEntryFailures: 1_000_000 });
    await until(async () => Number(await redis.hget(ledgerFailuresKey(prefix), poisonId!)) >= 2);
    await first.stop();
    const counted = Number(await redis.hget(ledgerFailuresKey(prefix), poisonId!));
    // A ledger allowed only as many failures as the entry already had dead-letters it at its
    // next failure: it counts on from where the stopped one left off.
    await start({ prefix, maxEntryFailures: counted, claimIdleMs: 0 });
    await until(async () => (await redis.xlen(ledgerDeadLetterKey(prefix))) === 1);
    const [dead] = await redis.xrange(ledgerDeadLetterKey(prefix), '-', '+');
    expect(Object.fromEntries(chunks(dead![1])).reason).toMatch(new RegExp(`^write failed ${counted + 1} times`));
    expect(await redis.xlen(ledgerStreamKey(prefix))).toBe(0);
  });
});

function chunks(fields: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let index = 0; index + 1 < fields.length; index += 2) pairs.push([fields[index]!, fields[index + 1]!]);
  return pairs;
}
