// Ledger ingest rate: how many usage records per second the ledger moves from the Redis
// stream into Postgres (one transaction per batch, with the daily rollup and job records),
// to compare with the inference throughput of the same run: the ledger must stay ahead.
import { Redis } from 'ioredis';
import { costUsd, priceVersion, type LedgerEntry } from '@switchyard/core';
import { createDb, migrateToLatest } from '@switchyard/db';
import { startLedger } from '@switchyard/ledger';
import { createSilentLogger } from '@switchyard/logger';
import { appendLedgerEntries, ledgerStreamKey } from '@switchyard/queue';
import { createTestDatabase, deletePrefix, uniquePrefix } from '@switchyard/testing';

export type LedgerIngestResult = { records: number; seconds: number; usageRecordsPerSecond: number };

const pricing = { input: '2.50', output: '10.00' };

/** One sync request's ledger entries: its usage record and its finished job (a 200-character answer). */
export function entriesFor(index: number, now: number): LedgerEntry[] {
  const usage = { inputTokens: 120 + (index % 50), outputTokens: 300 + (index % 70) };
  const requestId = `req_ingest${index}`;
  return [
    {
      type: 'usage',
      record: {
        requestId,
        attempt: 1,
        orgId: `org_ingest${index % 10}`,
        keyId: `key_ingest${index % 40}`,
        provider: 'openai',
        model: index % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
        ...usage,
        cachedInputTokens: 0,
        estimated: false,
        priceVersion: priceVersion(pricing),
        costUsd: costUsd(usage, pricing),
        durationMs: 40,
        queueMs: 2,
        status: 'completed',
        createdAt: now,
      },
    },
    {
      type: 'job',
      record: {
        id: requestId,
        orgId: `org_ingest${index % 10}`,
        keyId: `key_ingest${index % 40}`,
        endpoint: '/v1/chat/completions',
        model: 'gpt-4o',
        mode: 'sync',
        status: 'completed',
        output: { id: `chatcmpl-${index}`, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(200) } }] },
        attempts: 1,
        usage,
        createdAt: now - 50,
        completedAt: now,
      },
    },
  ];
}

export async function measureLedgerIngest(options: { redisUrl: string; records: number }): Promise<LedgerIngestResult> {
  const database = await createTestDatabase();
  const prefix = uniquePrefix('ingest');
  const redis = new Redis(options.redisUrl);
  const handle = await createDb({ url: database.url });
  try {
    await migrateToLatest(handle.db);
    const now = Date.now();
    for (let start = 0; start < options.records; start += 1000) {
      const entries: LedgerEntry[] = [];
      for (let index = start; index < Math.min(options.records, start + 1000); index++) entries.push(...entriesFor(index, now));
      await appendLedgerEntries(redis, prefix, entries);
    }
    const started = performance.now();
    const ledger = await startLedger({ redis, db: handle.db, logger: createSilentLogger(), prefix, batchSize: 500, blockMs: 50 });
    while ((await redis.xlen(ledgerStreamKey(prefix))) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const seconds = (performance.now() - started) / 1000;
    await ledger.stop();
    const written = await handle.db
      .selectFrom('usage_events')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    if (Number(written.count) !== options.records) throw new Error(`ledger wrote ${written.count} of ${options.records} usage records`);
    return { records: options.records, seconds, usageRecordsPerSecond: options.records / seconds };
  } finally {
    await handle.close();
    await deletePrefix(options.redisUrl, prefix).catch(() => {});
    redis.disconnect();
    await database.drop();
  }
}
