import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry, UsageRecord } from '@switchyard/core';
import {
  ackLedgerEntries,
  appendLedgerEntries,
  appendLedgerGroup,
  countUnwrittenLedgerEntries,
  deadLetterLedgerEntries,
  readLedgerBatch,
  readMonthToDateSpend,
  recordLedgerFailure,
  storeMonthToDateSpend,
} from './ledger-stream.ts';
import { ledgerDeadLetterKey, ledgerFailuresKey, ledgerStreamKey, monthToDateSpendKey } from './names.ts';

function usage(requestId: string, attempt = 1): LedgerEntry {
  const record: UsageRecord = {
    requestId,
    attempt,
    orgId: 'org_a',
    keyId: 'key_a',
    provider: 'mock',
    model: 'mock-fast',
    inputTokens: 10,
    outputTokens: 20,
    cachedInputTokens: 0,
    estimated: false,
    priceVersion: 'v1',
    costUsd: '0.000123',
    durationMs: 50,
    queueMs: 2,
    status: 'completed',
    createdAt: Date.UTC(2025, 0, 15),
  };
  return { type: 'usage', record };
}

describe('ledger stream', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const newPrefix = () => {
    const prefix = `test-ledger-${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    return prefix;
  };

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  it('delivers appended entries once, in order, and forgets them when acknowledged', async () => {
    const prefix = newPrefix();
    await appendLedgerEntries(redis, prefix, [usage('req_1'), usage('req_2'), usage('req_2', 2)]);
    const batch = await readLedgerBatch(redis, prefix, 'one', { count: 10, blockMs: 10 });
    expect(batch.rejected).toEqual([]);
    expect(batch.messages.map(({ entry }) => entry.type === 'usage' && `${entry.record.requestId}/${entry.record.attempt}`)).toEqual([
      'req_1/1',
      'req_2/1',
      'req_2/2',
    ]);
    await ackLedgerEntries(
      redis,
      prefix,
      batch.messages.map((message) => message.id),
    );
    expect(await redis.xlen(ledgerStreamKey(prefix))).toBe(0);
    expect((await readLedgerBatch(redis, prefix, 'one', { count: 10, blockMs: 10 })).messages).toEqual([]);
  });

  it('counts entries not yet written: never read, and read but not acknowledged', async () => {
    const prefix = newPrefix();
    expect(await countUnwrittenLedgerEntries(redis, prefix)).toBe(0);
    await appendLedgerEntries(redis, prefix, [usage('req_1'), usage('req_2'), usage('req_3')]);
    expect(await countUnwrittenLedgerEntries(redis, prefix)).toBe(3);
    const batch = await readLedgerBatch(redis, prefix, 'one', { count: 2, blockMs: 10 });
    expect(await countUnwrittenLedgerEntries(redis, prefix)).toBe(3);
    await ackLedgerEntries(redis, prefix, [batch.messages[0]!.id]);
    expect(await countUnwrittenLedgerEntries(redis, prefix)).toBe(2);
    await deadLetterLedgerEntries(redis, prefix, [{ id: batch.messages[1]!.id, raw: batch.messages[1]!.raw, reason: 'test' }]);
    expect(await countUnwrittenLedgerEntries(redis, prefix)).toBe(1);
  });

  it('hands an unacknowledged batch back to its consumer, and to another once it idles', async () => {
    const prefix = newPrefix();
    await appendLedgerEntries(redis, prefix, [usage('req_1')]);
    const first = await readLedgerBatch(redis, prefix, 'crashed', { count: 10, blockMs: 10 });
    expect(first.messages).toHaveLength(1);

    const again = await readLedgerBatch(redis, prefix, 'crashed', { count: 10, blockMs: 10 });
    expect(again.messages.map((message) => message.id)).toEqual(first.messages.map((message) => message.id));

    expect((await readLedgerBatch(redis, prefix, 'other', { count: 10, blockMs: 10, claimIdleMs: 60_000 })).messages).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const claimed = await readLedgerBatch(redis, prefix, 'other', { count: 10, blockMs: 10, claimIdleMs: 20 });
    expect(claimed.messages.map((message) => message.id)).toEqual(first.messages.map((message) => message.id));
  });

  it('tops a batch of entries being retried up with the entries behind them', async () => {
    const prefix = newPrefix();
    await appendLedgerEntries(redis, prefix, [usage('req_stuck')]);
    const first = await readLedgerBatch(redis, prefix, 'one', { count: 3, blockMs: 10 });
    await appendLedgerEntries(redis, prefix, [usage('req_2'), usage('req_3'), usage('req_4')]);
    const again = await readLedgerBatch(redis, prefix, 'one', { count: 3, blockMs: 10 });
    const ids = (batch: typeof again) => batch.messages.map(({ entry }) => entry.type === 'usage' && entry.record.requestId);
    expect(ids(first)).toEqual(['req_stuck']);
    expect(ids(again)).toEqual(['req_stuck', 'req_2', 'req_3']);
    await ackLedgerEntries(
      redis,
      prefix,
      again.messages.slice(1).map((message) => message.id),
    );
    expect(ids(await readLedgerBatch(redis, prefix, 'one', { count: 3, blockMs: 10 }))).toEqual(['req_stuck', 'req_4']);
  });

  it('rejects malformed entries and moves them to the dead-letter stream', async () => {
    const prefix = newPrefix();
    await redis.xadd(ledgerStreamKey(prefix), '*', 'entry', '{not json');
    await redis.xadd(ledgerStreamKey(prefix), '*', 'entry', JSON.stringify({ type: 'usage', record: { requestId: 'x' } }));
    await appendLedgerEntries(redis, prefix, [usage('req_ok')]);
    const batch = await readLedgerBatch(redis, prefix, 'one', { count: 10, blockMs: 10 });
    expect(batch.messages).toHaveLength(1);
    expect(batch.rejected.map((rejected) => rejected.reason)).toEqual(['payload is not JSON', expect.stringContaining('record.attempt')]);
    await deadLetterLedgerEntries(redis, prefix, batch.rejected);
    expect(await redis.xlen(ledgerDeadLetterKey(prefix))).toBe(2);
    expect(await redis.xlen(ledgerStreamKey(prefix))).toBe(1);
  });

  it('counts failed writes per entry and forgets them once the entry is acknowledged or dead-lettered', async () => {
    const prefix = newPrefix();
    await appendLedgerEntries(redis, prefix, [usage('req_a'), usage('req_b')]);
    const batch = await readLedgerBatch(redis, prefix, 'one', { count: 10, blockMs: 10 });
    const [first, second] = batch.messages;
    expect(first?.raw).toBe(JSON.stringify(usage('req_a')));
    expect(await recordLedgerFailure(redis, prefix, first!.id)).toBe(1);
    expect(await recordLedgerFailure(redis, prefix, first!.id)).toBe(2);
    expect(await recordLedgerFailure(redis, prefix, second!.id)).toBe(1);

    await ackLedgerEntries(redis, prefix, [first!.id]);
    expect(await redis.hkeys(ledgerFailuresKey(prefix))).toEqual([second!.id]);
    await deadLetterLedgerEntries(redis, prefix, [{ id: second!.id, raw: second!.raw, reason: 'unwritable' }]);
    expect(await redis.exists(ledgerFailuresKey(prefix))).toBe(0);
    const [dead] = await redis.xrange(ledgerDeadLetterKey(prefix), '-', '+');
    expect(dead?.[1]).toEqual(['id', second!.id, 'reason', 'unwritable', 'entry', second!.raw]);
  });

  it('reads a group as one stream entry: its entries in order under one id, acknowledged together', async () => {
    const prefix = newPrefix();
    const id = await appendLedgerGroup(redis, prefix, [usage('req_g', 1), usage('req_g', 2)]);
    await appendLedgerEntries(redis, prefix, [usage('req_alone')]);
    expect(await redis.xlen(ledgerStreamKey(prefix))).toBe(2);
    const batch = await readLedgerBatch(redis, prefix, 'one', { count: 10, blockMs: 10 });
    expect(batch.rejected).toEqual([]);
    expect(batch.messages.map((message) => [message.id === id, message.raw])).toEqual([
      [true, JSON.stringify(usage('req_g', 1))],
      [true, JSON.stringify(usage('req_g', 2))],
      [false, JSON.stringify(usage('req_alone'))],
    ]);
    await ackLedgerEntries(
      redis,
      prefix,
      batch.messages.slice(0, 2).map((message) => message.id),
    );
    expect(await redis.xlen(ledgerStreamKey(prefix))).toBe(1);
    expect(await appendLedgerGroup(redis, prefix, [])).toBeUndefined();
  });

  it('sets a whole group aside when one of its entries cannot be read', async () => {
    const prefix = newPrefix();
    const id = await redis.xadd(ledgerStreamKey(prefix), '*', 'entry', JSON.stringify(usage('req_ok')), 'entry', '{not json');
    const batch = await readLedgerBatch(redis, prefix, 'one', { count: 10, blockMs: 10 });
    expect(batch.messages).toEqual([]);
    expect(batch.rejected).toEqual([
      { id, raw: JSON.stringify(usage('req_ok')), reason: 'beside an unreadable entry: payload is not JSON' },
      { id, raw: '{not json', reason: 'payload is not JSON' },
    ]);
    await deadLetterLedgerEntries(redis, prefix, batch.rejected);
    expect(await redis.xlen(ledgerStreamKey(prefix))).toBe(0);
    expect(await redis.xlen(ledgerDeadLetterKey(prefix))).toBe(2);
  });

  it('waits for new entries up to blockMs', async () => {
    const prefix = newPrefix();
    const reader = redis.duplicate();
    // Blocks longer than the test may run: only the new entry can end this read in time.
    const pending = readLedgerBatch(reader, prefix, 'one', { count: 10, blockMs: 120_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await appendLedgerEntries(redis, prefix, [usage('req_late')]);
    const batch = await pending;
    expect(batch.messages).toHaveLength(1);
    await reader.quit();
  });

  it('keeps the larger month-to-date spend, compared exactly as decimals', async () => {
    const prefix = newPrefix();
    const now = Date.UTC(2025, 1, 10);
    await storeMonthToDateSpend(redis, prefix, 'org_a', '2025-02', '10.5');
    await storeMonthToDateSpend(redis, prefix, 'org_a', '2025-02', '9.999999999999999');
    expect(await readMonthToDateSpend(redis, prefix, 'org_a', now)).toBe('10.5');
    await storeMonthToDateSpend(redis, prefix, 'org_a', '2025-02', '10.500000000000001');
    expect(await readMonthToDateSpend(redis, prefix, 'org_a', now)).toBe('10.500000000000001');
    await storeMonthToDateSpend(redis, prefix, 'org_a', '2025-02', '100');
    expect(await readMonthToDateSpend(redis, prefix, 'org_a', now)).toBe('100');
    expect(await readMonthToDateSpend(redis, prefix, 'org_b', now)).toBeUndefined();
    const ttl = await redis.ttl(monthToDateSpendKey(prefix, 'org_a', '2025-02'));
    expect(ttl).toBeGreaterThan(39 * 24 * 3600);
  });
});
