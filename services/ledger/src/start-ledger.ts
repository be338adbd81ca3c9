import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { monthlySpendByOrg, type Database, type Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import type { Redis } from 'ioredis';
import {
  ackLedgerEntries,
  deadLetterLedgerEntries,
  readLedgerBatch,
  storeMonthToDateSpend,
  utcMonth,
  type LedgerMessage,
} from '@switchyard/queue';
import { writeLedgerBatch } from './write-ledger-batch.ts';

export type LedgerDeps = {
  redis: Redis;
  db: Kysely<Database>;
  logger: Logger;
  prefix: string;
  batchSize?: number;
  /** How long one read waits for entries; also bounds how long `stop()` takes. */
  blockMs?: number;
  /** Entries left unacknowledged this long by another ledger are taken over. */
  claimIdleMs?: number;
};

export type Ledger = { consumer: string; stop(): Promise<void> };

const maxBackoffMs = 5000;

/**
 * Moves entries from the `ledger` stream into Postgres: read a batch, write it in one
 * transaction, refresh the month-to-date spend of the orgs it touched, then acknowledge.
 * A failure anywhere leaves the batch pending, and it is read again.
 */
export async function startLedger(deps: LedgerDeps): Promise<Ledger> {
  const consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const logger = deps.logger.child({ component: 'ledger', consumer });
  // Blocking reads hold their connection, so they get one of their own.
  const reader = deps.redis.duplicate();
  reader.on('error', (error) => logger.warn({ err: error }, 'ledger reader connection error'));
  let stopping = false;
  let failures = 0;

  const runOnce = async (): Promise<void> => {
    const batch = await readLedgerBatch(reader, deps.prefix, consumer, {
      count: deps.batchSize ?? 200,
      blockMs: deps.blockMs ?? 1000,
      claimIdleMs: deps.claimIdleMs ?? 30_000,
    });
    if (batch.rejected.length > 0) {
      logger.error({ rejected: batch.rejected.map(({ id, reason }) => ({ id, reason })) }, 'ledger entries rejected, moved to the dead-letter stream');
      await deadLetterLedgerEntries(deps.redis, deps.prefix, batch.rejected);
    }
    if (batch.messages.length === 0) return;
    const entries = batch.messages.map((message) => message.entry);
    const written = await writeLedgerBatch(deps.db, entries);
    await refreshSpend(deps, batch.messages);
    await ackLedgerEntries(
      deps.redis,
      deps.prefix,
      batch.messages.map((message) => message.id),
    );
    logger.debug({ entries: entries.length, insertedUsage: written.insertedUsage, jobs: written.jobs }, 'ledger batch written');
  };

  const loop = (async () => {
    while (!stopping) {
      try {
        await runOnce();
        failures = 0;
      } catch (error) {
        if (stopping) break;
        failures += 1;
        const delayMs = Math.min(maxBackoffMs, 100 * 2 ** Math.min(failures, 6));
        logger.error({ err: error, delayMs }, 'ledger batch failed; it stays pending and is retried');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  })();
  logger.info({ prefix: deps.prefix, batchSize: deps.batchSize ?? 200 }, 'ledger started: moving usage and finished jobs from Redis into Postgres');

  return {
    consumer,
    async stop() {
      stopping = true;
      await loop;
      await reader.quit().catch(() => reader.disconnect());
    },
  };
}

/**
 * Recomputed from Postgres rather than incremented, so replaying a batch cannot count it
 * twice; every org in the batch is refreshed, replayed or not, so a crash between commit
 * and this step is repaired by the replay.
 */
async function refreshSpend(deps: LedgerDeps, messages: LedgerMessage[]): Promise<void> {
  const orgsByMonth = new Map<string, Set<string>>();
  for (const { entry } of messages) {
    if (entry.type !== 'usage') continue;
    const month = utcMonth(entry.record.createdAt);
    const orgs = orgsByMonth.get(month) ?? new Set<string>();
    orgs.add(entry.record.orgId);
    orgsByMonth.set(month, orgs);
  }
  for (const [month, orgs] of orgsByMonth) {
    const spend = await monthlySpendByOrg(deps.db, [...orgs], month);
    await Promise.all([...spend].map(([orgId, amount]) => storeMonthToDateSpend(deps.redis, deps.prefix, orgId, month, amount)));
  }
}
