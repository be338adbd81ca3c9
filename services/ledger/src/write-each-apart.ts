import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import type { RedisConnection } from '@switchyard/queue';
import { sql } from 'kysely';
import { deadLetterLedgerEntries, recordLedgerFailure, type LedgerMessage, type RejectedLedgerMessage } from '@switchyard/queue';
import type { LedgerMetrics } from './ledger-metrics.ts';
import { writeLedgerBatch } from './write-ledger-batch.ts';

export type WriteApartContext = {
  db: Kysely<Database>;
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
  metrics: LedgerMetrics;
  /** Failed writes of one entry on its own before it goes to the dead-letter stream. */
  maxEntryFailures: number;
};

export type WrittenApart = {
  committed: LedgerMessage[];
  deadLettered: RejectedLedgerMessage[];
  /** Entries that failed but have failures left; they stay pending and are tried again. */
  retrying: LedgerMessage[];
  /** Webhook deliveries recorded by the entries that committed. */
  deliveries: number;
};

/**
 * Writes the entries of a batch that failed as a whole one stream entry at a time (a
 * finished job's group of entries together), so one entry the database refuses cannot
 * hold back the others. A failure counts against the entry only while the database still
 * answers; when it does not, nothing is counted and the error is thrown, leaving every
 * entry pending for the caller's retry. An entry out of failures goes to the dead-letter
 * stream with the reason, logged as an error and counted.
 */
export async function writeEachApart(context: WriteApartContext, messages: LedgerMessage[]): Promise<WrittenApart> {
  const result: WrittenApart = { committed: [], deadLettered: [], retrying: [], deliveries: 0 };
  // The messages of one stream entry (a group) share its id and are written whole.
  for (const [id, group] of Map.groupBy(messages, (message) => message.id)) {
    try {
      const written = await writeLedgerBatch(
        context.db,
        group.map((message) => message.entry),
      );
      result.committed.push(...group);
      result.deliveries += written.deliveries;
    } catch (error) {
      await assertDatabaseAnswers(context.db);
      const failures = await recordLedgerFailure(context.redis, context.prefix, id);
      const reason = `write failed ${failures} times: ${describeError(error)}`;
      if (failures >= context.maxEntryFailures) result.deadLettered.push(...group.map((message) => ({ id, raw: message.raw, reason })));
      else {
        result.retrying.push(...group);
        context.logger.warn(
          { id, failures, maxFailures: context.maxEntryFailures, reason: describeError(error) },
          'ledger entry could not be written; it stays pending and is retried',
        );
      }
    }
  }
  if (result.deadLettered.length > 0) {
    await deadLetterLedgerEntries(context.redis, context.prefix, result.deadLettered);
    context.metrics.deadLetters.inc({ reason: 'unwritable' }, result.deadLettered.length);
    context.logger.error(
      { alert: 'ledger_dead_letter', deadLettered: result.deadLettered.map(({ id, reason }) => ({ id, reason })) },
      'ledger entries could not be written and were moved to the dead-letter stream; their usage is not in Postgres until replayed',
    );
  }
  return result;
}

/** Throws when the database does not answer a trivial query: then no entry is to blame. */
export async function assertDatabaseAnswers(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code} ${error.message}` : error.message;
}
