import { DelayedError, type Job } from 'bullmq';
import { portOf } from '@switchyard/core';
import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import type { Dispatcher } from 'undici';
import type { AttemptResult } from './attempt-result.ts';
import { decideDelivery } from './decide-delivery.ts';
import type { DeliveryJobData, DeliveryJobResult } from './delivery-job.ts';
import type { DeliveryLock } from './delivery-lock.ts';
import { deliveryTarget, loadDelivery, type DeliveryForAttempt } from './delivery-record.ts';
import type { DestinationSlots } from './destination-slots.ts';
import { failWithoutAttempt, recordAttempt } from './record-attempt.ts';
import { sendWebhook } from './send-webhook.ts';
import { signatureHeaders } from './signature-headers.ts';
import type { WebhookMetrics } from './webhook-metrics.ts';

export type ProcessorDependencies = {
  db: Kysely<Database>;
  dispatcher: Dispatcher;
  slots: DestinationSlots;
  lock: DeliveryLock;
  metrics: WebhookMetrics;
  logger: Logger;
  encryptionKey: string | undefined;
  timeoutMs: number;
  retryScheduleSeconds: readonly number[];
  /** How long a job waits when its destination's slots or its delivery are taken (a little jitter is added). */
  busyDelayMs?: number;
};

/** A row that says "not before" more than this ahead is postponed rather than tried (a retry replayed after a crash). */
const earlyToleranceMs = 1000;

/**
 * The delivery worker's processor: one attempt of one delivery per run. Duplicate and
 * stale jobs are harmless: only one sender holds a delivery at a time (`lock`), a delivery
 * already delivered or failed, or of a newer generation, is skipped. A destination whose
 * slots are all held, or a delivery another sender holds, puts the job back for a moment
 * without spending an attempt. A retry moves the job to delayed until its time.
 */
export function createDeliveryProcessor(deps: ProcessorDependencies) {
  const busyDelay = () => (deps.busyDelayMs ?? 200) + Math.floor(Math.random() * (deps.busyDelayMs ?? 200));

  return async (job: Job<DeliveryJobData, DeliveryJobResult>, token?: string): Promise<DeliveryJobResult> => {
    const holder = `${job.id}:${token ?? 'none'}`;
    if (!(await deps.lock.acquire(job.data.deliveryId, holder))) return postpone(job, token, Date.now() + busyDelay());
    try {
      const delivery = await loadDelivery(deps.db, job.data.deliveryId);
      if (!delivery || delivery.generation !== job.data.generation || delivery.status === 'delivered' || delivery.status === 'failed') return 'skipped';
      if (delivery.nextAttemptAt && delivery.nextAttemptAt.getTime() > Date.now() + earlyToleranceMs)
        return postpone(job, token, delivery.nextAttemptAt.getTime());
      return await attempt(job, token, holder, delivery);
    } finally {
      await deps.lock.release(job.data.deliveryId, holder).catch(() => {});
    }
  };

  async function attempt(
    job: Job<DeliveryJobData, DeliveryJobResult>,
    token: string | undefined,
    holder: string,
    delivery: DeliveryForAttempt,
  ): Promise<DeliveryJobResult> {
    const target = await deliveryTarget(deps.db, delivery, deps.encryptionKey, new Date());
    if ('unsendable' in target) {
      await failWithoutAttempt(deps.db, delivery, `not sent: ${target.unsendable}`);
      deps.metrics.deliveries.inc({ status: 'failed' });
      deps.logger.warn({ deliveryId: delivery.id, eventId: delivery.eventId, reason: target.unsendable }, 'webhook delivery not sent');
      return 'failed';
    }
    const url = parseUrl(target.url);
    const destination = url ? `${url.hostname.toLowerCase()}:${portOf(url)}` : 'invalid';
    const startedAt = new Date();
    let result: AttemptResult;
    let durationMs = 0;
    if (!url) {
      result = { kind: 'refused', reason: 'only absolute http and https URLs are delivered to' };
    } else {
      if (!(await deps.slots.acquire(destination, holder))) return postpone(job, token, Date.now() + busyDelay());
      const started = performance.now();
      try {
        // The bytes signed are the bytes sent.
        const body = JSON.stringify(delivery.payload);
        const headers = signatureHeaders({ eventId: delivery.eventId, body, secrets: target.secrets, at: startedAt });
        result = await sendWebhook({ dispatcher: deps.dispatcher, url, headers, body, timeoutMs: deps.timeoutMs });
      } finally {
        durationMs = Math.round(performance.now() - started);
        await deps.slots.release(destination, holder).catch(() => {});
      }
    }
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

/** Puts the job back in the delayed set until `timestamp`; BullMQ spends no attempt on it. */
async function postpone(job: Job<DeliveryJobData, DeliveryJobResult>, token: string | undefined, timestamp: number): Promise<never> {
  await job.moveToDelayed(timestamp, token);
  throw new DelayedError();
}

function parseUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
