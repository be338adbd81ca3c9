import { DelayedError, type Job } from 'bullmq';
import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import type { Dispatcher } from 'undici';
import type { AttemptResult } from './attempt-result.ts';
import { decideDelivery } from './decide-delivery.ts';
import { destinationOf, type DeliveryJobData, type DeliveryJobResult } from './delivery-job.ts';
import { loadDelivery, type DeliveryForAttempt } from './delivery-record.ts';
import { failWithoutAttempt, recordAttempt } from './record-attempt.ts';
import { sendWebhook } from './send-webhook.ts';
import type { PermitAnswer, SendPermits } from './send-permits.ts';
import { signatureHeaders } from './signature-headers.ts';
import type { SlotWaiters } from './slot-waiters.ts';
import type { WebhookMetrics } from './webhook-metrics.ts';

export type ProcessorDependencies = {
  db: Kysely<Database>;
  dispatcher: Dispatcher;
  permits: SendPermits;
  waiters: SlotWaiters;
  /** Moves a parked (delayed) job back to waiting. */
  wake(jobId: string): Promise<void>;
  metrics: WebhookMetrics;
  logger: Logger;
  encryptionKey: string | undefined;
  timeoutMs: number;
  retryScheduleSeconds: readonly number[];
  /** How long a job is put back when another sender holds its delivery (as much again of jitter is added). */
  busyDelayMs?: number;
};

/** A job waits in process for a slot of its full destination this long at a time, this many times, before it is parked. */
const slotWaitMs = 1000;
const maxSlotWaits = 5;
/**
 * A parked job wakes by itself after this (plus as much again of jitter) if no release wakes
 * it first: every holder of the destination died. (A release that hands the job back while
 * it is still being parked cannot promote it; the parking job sees that and wakes itself.)
 */
const parkedDelayMs = 30_000;

type DeliveryJob = Job<DeliveryJobData, DeliveryJobResult>;

/** A row that says "not before" more than this ahead is postponed rather than tried (a retry replayed after a crash). */
const earlyToleranceMs = 1000;

/**
 * The delivery worker's processor: one attempt of one delivery per run. It first takes a
 * send permit (a slot of the destination the job names, and the delivery itself); a full
 * destination or a delivery another sender holds puts the job back without spending an
 * attempt or reading Postgres. Duplicate and stale jobs are harmless: a
 * delivery already delivered or failed, or of a newer generation, is skipped. A retry
 * moves the job to delayed until its time.
 */
export function createDeliveryProcessor(deps: ProcessorDependencies) {
  const busyDelayMs = deps.busyDelayMs ?? 250;
  const later = (delayMs: number) => Date.now() + Math.round(delayMs * (1 + Math.random()));

  /**
   * A permit. While the destination is full, the job first waits in this process for one
   * of its slots (bounded); past that it is parked: put back on the queue, to be woken by
   * the next release of that destination (or by its timer, should the wake-up be lost).
   */
  const acquire = async (job: DeliveryJob, destination: string, holder: string): Promise<PermitAnswer | 'parked'> => {
    for (let waits = 0; ; waits += 1) {
      const park = waits >= maxSlotWaits || !deps.waiters.hasRoom(destination);
      const answer = await deps.permits.acquire(destination, job.data.deliveryId, holder, park ? job.id : undefined);
      if (answer !== 'full') return answer;
      if (park) return 'parked';
      await deps.waiters.wait(destination, slotWaitMs);
    }
  };
  const release = async (destination: string, deliveryId: string, holder: string): Promise<void> => {
    // A waiter of this process takes the freed slot; otherwise the two oldest parked jobs are
    // woken (two, so an id whose job already left the delayed set does not end the chain).
    const parked = await deps.permits.release(destination, deliveryId, holder, deps.waiters.waiting(destination) > 0 ? 0 : 2);
    deps.waiters.released(destination);
    for (const jobId of parked) void deps.wake(jobId).catch(() => {});
  };
  // The job's id went on the parked list before the job was delayed. A release in between
  // popped it and found nothing delayed to promote: that wake-up was lost, so take it now.
  const wakeIfHandedBack = async (job: DeliveryJob, destination: string): Promise<void> => {
    const stillParked = await deps.permits.isParked(destination, job.id!).catch(() => true);
    if (!stillParked) await deps.wake(job.id!).catch(() => {});
  };
  const putBack = (job: DeliveryJob, token: string | undefined, answer: PermitAnswer | 'parked', destination: string): Promise<never> =>
    answer === 'parked' ? postpone(job, token, later(parkedDelayMs), () => wakeIfHandedBack(job, destination)) : postpone(job, token, later(busyDelayMs));

  return async (job: DeliveryJob, token?: string): Promise<DeliveryJobResult> => {
    const holder = `${job.id}:${token ?? 'none'}`;
    let held: string | undefined = job.data.destination ?? 'unknown';
    const answer = await acquire(job, held, holder);
    if (answer !== 'ok') return putBack(job, token, answer, held);
    try {
      const delivery = await loadDelivery(deps.db, job.data.deliveryId, deps.encryptionKey, new Date());
      if (!delivery || delivery.generation !== job.data.generation || delivery.status === 'delivered' || delivery.status === 'failed') return 'skipped';
      if (delivery.nextAttemptAt && delivery.nextAttemptAt.getTime() > Date.now() + earlyToleranceMs)
        return postpone(job, token, delivery.nextAttemptAt.getTime());
      if ('unsendable' in delivery.target) return await notSent(delivery, delivery.target.unsendable);
      // The endpoint's URL changed since the job was queued: its permit is for the other destination.
      const destination = destinationOf(delivery.target.url);
      if (destination !== held) {
        await release(held, delivery.id, holder);
        held = undefined;
        const again = await acquire(job, destination, holder);
        if (again !== 'ok') return putBack(job, token, again, destination);
        held = destination;
      }
      return await attempt(job, token, delivery, delivery.target, destination);
    } finally {
      if (held !== undefined) await release(held, job.data.deliveryId, holder).catch(() => {});
    }
  };

  async function notSent(delivery: DeliveryForAttempt, reason: string): Promise<DeliveryJobResult> {
    await failWithoutAttempt(deps.db, delivery, `not sent: ${reason}`);
    deps.metrics.deliveries.inc({ status: 'failed' });
    deps.logger.warn({ deliveryId: delivery.id, eventId: delivery.eventId, reason }, 'webhook delivery not sent');
    return 'failed';
  }

  async function attempt(
    job: DeliveryJob,
    token: string | undefined,
    delivery: DeliveryForAttempt,
    target: { url: string; secrets: string[] },
    destination: string,
  ): Promise<DeliveryJobResult> {
    const startedAt = new Date();
    const started = performance.now();
    let result: AttemptResult;
    if (destination === 'invalid') {
      result = { kind: 'refused', reason: 'only absolute http and https URLs are delivered to' };
    } else {
      // The bytes signed are the bytes sent.
      const body = JSON.stringify(delivery.payload);
      const headers = signatureHeaders({ eventId: delivery.eventId, body, secrets: target.secrets, at: startedAt });
      result = await sendWebhook({ dispatcher: deps.dispatcher, url: new URL(target.url), headers, body, timeoutMs: deps.timeoutMs });
    }
    const durationMs = Math.round(performance.now() - started);
    const decision = decideDelivery(result, {
      attempt: delivery.attempts - job.data.baseAttempts + 1,
      scheduleSeconds: deps.retryScheduleSeconds,
      orgEndpoint: delivery.endpointId !== null,
      now: Date.now(),
      random: Math.random,
    });
    const now = new Date();
    const changed = await recordAttempt(
      deps.db,
      {
        deliveryId: delivery.id,
        generation: delivery.generation,
        attempt: delivery.attempts + 1,
        url: target.url,
        endpointId: delivery.endpointId,
        startedAt,
        durationMs,
        responseStatus: result.kind === 'response' ? result.status : null,
        decision,
      },
      now,
    );
    deps.metrics.deliveries.inc({ status: decision.outcome === 'refused' ? 'refused' : decision.status });
    if (decision.status === 'delivered') deps.metrics.deliveryLatency.observe((now.getTime() - delivery.eventCreatedAt.getTime()) / 1000);
    // Destinations are logged as host:port: a URL may carry a receiver's token in its path or query.
    const details = { deliveryId: delivery.id, eventId: delivery.eventId, destination, attempt: delivery.attempts + 1, durationMs };
    if (decision.status === 'delivered') deps.logger.debug(details, 'webhook delivered');
    else if (decision.status === 'retrying')
      deps.logger.info({ ...details, error: decision.error, retryInMs: decision.delayMs }, 'webhook delivery failed; will retry');
    else deps.logger.warn({ ...details, error: decision.error, endpointDisabled: decision.disableEndpoint }, 'webhook delivery failed for good');
    // Unchanged: a manual retry moved the delivery to a newer generation meanwhile; its own job carries on.
    if (!changed) return 'skipped';
    if (decision.status === 'retrying') return postpone(job, token, now.getTime() + decision.delayMs);
    return decision.status === 'delivered' ? 'delivered' : 'failed';
  }
}

/** Puts the job back in the delayed set until `timestamp` (then runs `afterDelayed`); BullMQ spends no attempt on it. */
async function postpone(job: DeliveryJob, token: string | undefined, timestamp: number, afterDelayed?: () => Promise<void>): Promise<never> {
  await job.moveToDelayed(timestamp, token);
  await afterDelayed?.();
  throw new DelayedError();
}
