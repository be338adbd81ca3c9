import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { monthlySpendByOrg, type Database, type Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import type { RedisConnection } from '@switchyard/queue';
import {
  ackLedgerEntries,
  countUnwrittenLedgerEntries,
  deadLetterLedgerEntries,
  readLedgerBatch,
  storeMonthToDateSpend,
  utcMonth,
  webhookNudgeChannel,
  type LedgerMessage,
} from '@switchyard/queue';
import type { Registry } from 'prom-client';
import { createLedgerMetrics, type LedgerMetrics } from './ledger-metrics.ts';
import { assertDatabaseAnswers, writeEachApart } from './write-each-apart.ts';
import { writeLedgerBatch } from './write-ledger-batch.ts';

export type LedgerDeps = {
  redis: RedisConnection;
  db: Kysely<Database>;
  logger: Logger;
  prefix: string;
  batchSize?: number;
  /** How long one read waits for entries; also bounds how long `stop()` takes. */
  blockMs?: number;
  /** Entries left unacknowledged this long by another ledger are taken over. */
  claimIdleMs?: number;
  /** Failed writes of one entry, while the database answers, before it is dead-lettered. */
  maxEntryFailures?: number;
  /** Pause before retrying entries that failed on their own. */
  entryRetryDelayMs?: number;
  /**
   * After a batch smaller than `batchSize`, wait this long before reading the next, so the
   * entries of many requests share one transaction (`all` on embedded PGlite pays ~10 ms of
   * CPU per transaction on the api's thread). Entries wait that much longer to be written.
   */
  lingerMs?: number;
  /** The process registry the ledger's metrics go on (`all` shares one); a new one otherwise. */
  registry?: Registry;
  /** The ledger's metrics, made by the caller (tests read them); created on `registry` otherwise. */
  metrics?: LedgerMetrics;
};

export type Ledger = { consumer: string; metrics: LedgerMetrics; stop(): Promise<void> };

const maxBackoffMs = 5000;

/**
 * Moves entries from the `ledger` stream into Postgres: read a batch, write it in one
 * transaction, refresh the month-to-date spend of the orgs it touched, then acknowledge.
 * A batch the database refuses is written entry by entry, so the good entries commit and
 * only the refused ones stay pending; one refused `maxEntryFailures` times is moved to the
 * dead-letter stream. While the database is unreachable the whole batch stays pending.
 */
export async function startLedger(deps: LedgerDeps): Promise<Ledger> {
  const consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const logger = deps.logger.child({ component: 'ledger', consumer });
  // Blocking reads hold their connection, so they get one of their own.
  const reader = deps.redis.duplicate();
  reader.on('error', (error) => logger.warn({ err: error }, 'ledger reader connection error'));
  const metrics = deps.metrics ?? createLedgerMetrics(deps.registry);
  const unwatchLag = metrics.watchLag(() => countUnwrittenLedgerEntries(deps.redis, deps.prefix));
  const maxEntryFailures = deps.maxEntryFailures ?? 5;
  let stopping = false;
  let failures = 0;

  /** What the last read left: entries that failed on their own wait for a retry, or the batch was not full. */
  const runOnce = async (): Promise<{ retrying: boolean; partial: boolean }> => {
    const batch = await readLedgerBatch(reader, deps.prefix, consumer, {
      count: deps.batchSize ?? 200,
      blockMs: deps.blockMs ?? 1000,
      claimIdleMs: deps.claimIdleMs ?? 30_000,
    });
    if (batch.rejected.length > 0) {
      logger.error({ rejected: batch.rejected.map(({ id, reason }) => ({ id, reason })) }, 'ledger entries rejected, moved to the dead-letter stream');
      await deadLetterLedgerEntries(deps.redis, deps.prefix, batch.rejected);
      metrics.deadLetters.inc({ reason: 'invalid' }, batch.rejected.length);
    }
    if (batch.messages.length === 0) return { retrying: false, partial: false };
    const entries = batch.messages.map((message) => message.entry);
    metrics.batchEntries.observe(entries.length);
    let committed = batch.messages;
    let retrying = false;
    let deliveries = 0;
    try {
      const written = await writeLedgerBatch(deps.db, entries);
      deliveries = written.deliveries;
      logger.debug({ entries: entries.length, insertedUsage: written.insertedUsage, jobs: written.jobs, deliveries }, 'ledger batch written');
    } catch (error) {
      // Unreachable database: the error propagates and the batch stays pending as a whole.
      await assertDatabaseAnswers(deps.db);
      logger.warn({ err: error, entries: entries.length }, 'ledger batch refused; writing its entries one by one');
      const apart = await writeEachApart({ db: deps.db, redis: deps.redis, prefix: deps.prefix, logger, metrics, maxEntryFailures }, batch.messages);
      committed = apart.committed;
      retrying = apart.retrying.length > 0;
      deliveries = apart.deliveries;
    }
    if (deliveries > 0) await nudgeWebhooks(deps, logger);
    await refreshSpend(deps, committed);
    await ackLedgerEntries(
      deps.redis,
      deps.prefix,
      committed.map((message) => message.id),
    );
    return { retrying, partial: batch.messages.length < (deps.batchSize ?? 200) };
  };

  const loop = (async () => {
    while (!stopping) {
      try {
        const { retrying, partial } = await runOnce();
        failures = 0;
        if (retrying) await new Promise((resolve) => setTimeout(resolve, deps.entryRetryDelayMs ?? 250));
        else if (partial && deps.lingerMs) await new Promise((resolve) => setTimeout(resolve, deps.lingerMs));
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
    metrics,
    async stop() {
      stopping = true;
      unwatchLag();
      await loop;
      await reader.quit().catch(() => reader.disconnect());
    },
  };
}

/**
 * Tells the webhooks service that deliveries wait in the outbox, so it queues them now
 * rather than at its next poll. Best effort: a lost nudge costs one poll interval.
 */
async function nudgeWebhooks(deps: LedgerDeps, logger: Logger): Promise<void> {
  await deps.redis
    .publish(webhookNudgeChannel(deps.prefix), '1')
    .catch((error: unknown) => logger.warn({ err: error }, 'could not nudge the webhooks service'));
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
