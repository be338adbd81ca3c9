import type { Queue } from 'bullmq';
import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import { destinationOf, deliveryJobName, deliveryJobOptions, type DeliveryJobData, type DeliveryJobResult } from './delivery-job.ts';

export type OutboxRelay = {
  /** Runs a pass soon (coalesced with one already running): a producer just committed deliveries. */
  nudge(): void;
  stop(): Promise<void>;
};

export type OutboxRelayOptions = {
  db: Kysely<Database>;
  queue: Queue<DeliveryJobData, DeliveryJobResult>;
  logger: Logger;
  /** Pause between passes that found nothing. */
  pollIntervalMs?: number;
  batchSize?: number;
};

/**
 * Moves deliveries from the outbox (`enqueued_at is null`) onto the queue. A pass locks a
 * batch with `FOR UPDATE SKIP LOCKED` (so several webhooks processes share the outbox
 * without waiting on each other), adds one job per delivery generation with the id
 * `<delivery>-g<generation>`, then sets `enqueued_at` and commits. A crash between the add
 * and the commit leaves the rows unqueued; the next pass adds the same job ids again, which
 * BullMQ ignores, so a delivery is queued at least once and never twice per generation.
 * Passes run every `pollIntervalMs`, at once after a full batch, and on `nudge()`.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const batchSize = options.batchSize ?? 200;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  let stopping = false;
  let nudged = false;
  let wake: (() => void) | undefined;
  let failures = 0;

  // An idle outbox costs one indexed read per poll, not a transaction.
  const anyUnqueued = async (): Promise<boolean> =>
    (await options.db.selectFrom('webhook_deliveries').select('id').where('enqueued_at', 'is', null).limit(1).executeTakeFirst()) !== undefined;

  const pass = async (): Promise<number> =>
    !(await anyUnqueued())
      ? 0
      : options.db.transaction().execute(async (transaction) => {
          const rows = await transaction
            .selectFrom('webhook_deliveries')
            .select(['id', 'generation', 'attempts', 'url'])
            .where('enqueued_at', 'is', null)
            .orderBy('created_at')
            .limit(batchSize)
            .forUpdate()
            .skipLocked()
            .execute();
          if (rows.length === 0) return 0;
          const jobs = rows.map((row) => {
            const data: DeliveryJobData = { deliveryId: row.id, generation: row.generation, baseAttempts: row.attempts, destination: destinationOf(row.url) };
            return { name: deliveryJobName, data, opts: deliveryJobOptions(data) };
          });
          await options.queue.addBulk(jobs);
          await transaction
            .updateTable('webhook_deliveries')
            .set({ enqueued_at: new Date() })
            .where(
              'id',
              'in',
              rows.map((row) => row.id),
            )
            .execute();
          return rows.length;
        });

  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, failures > 0 ? Math.min(5000, pollIntervalMs * 2 ** Math.min(failures, 5)) : pollIntervalMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    while (!stopping) {
      nudged = false;
      let moved = 0;
      try {
        moved = await pass();
        failures = 0;
        if (moved > 0) options.logger.debug({ deliveries: moved }, 'webhook deliveries queued');
      } catch (error) {
        if (stopping) break;
        failures += 1;
        options.logger.error({ err: error }, 'webhook outbox relay pass failed; the deliveries stay in the outbox and are tried again');
      }
      if (stopping) break;
      if (moved === batchSize || nudged) continue;
      await sleep();
      wake = undefined;
    }
  })();

  return {
    nudge() {
      nudged = true;
      wake?.();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
  };
}
