import type { JobsOptions } from 'bullmq';
import { portOf } from '@switchyard/core';

/** A queue job: one generation of one delivery. Only ids: the delivery row holds the rest (and the secrets stay in Postgres). */
export type DeliveryJobData = {
  deliveryId: string;
  generation: number;
  /** The delivery's attempts when this generation was queued, so the retry schedule restarts with each generation. */
  baseAttempts: number;
  /** `host:port` of its URL when queued, so a job finds its destination full before reading Postgres. */
  destination?: string;
};

/** The per-destination concurrency key of a URL: `host:port`, the host lower-cased; `invalid` for what is no http(s) URL. */
export function destinationOf(urlText: string): string {
  try {
    const url = new URL(urlText);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'invalid';
    return `${url.hostname.toLowerCase()}:${portOf(url)}`;
  } catch {
    return 'invalid';
  }
}

/** What a job came to; kept on the completed job for whoever inspects the queue. */
export type DeliveryJobResult = 'delivered' | 'failed' | 'skipped';

export const deliveryJobName = 'deliver';

/** `<delivery id>-g<generation>`: adding a generation twice (a relay crash between add and mark) is a no-op. */
export const deliveryJobId = (deliveryId: string, generation: number): string => `${deliveryId}-g${generation}`;

/**
 * Retries of a delivery are not BullMQ attempts: the processor moves the job back to
 * delayed itself (the delivery row counts attempts). BullMQ's attempts only cover the
 * processor failing on its own (Postgres or Redis unreachable), with a capped backoff.
 */
export const deliveryJobOptions = (data: DeliveryJobData): JobsOptions => ({
  jobId: deliveryJobId(data.deliveryId, data.generation),
  attempts: 30,
  backoff: { type: 'infrastructure' },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 24 * 3600 },
});

/** Backoff of a processor that failed on its own: 1 s doubling, at most a minute. */
export const infrastructureBackoffMs = (attemptsMade: number): number => Math.min(60_000, 1000 * 2 ** Math.min(Math.max(attemptsMade - 1, 0), 6));
