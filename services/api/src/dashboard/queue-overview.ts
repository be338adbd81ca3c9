import type { InferenceQueue } from '@switchyard/queue';
import { finishedPerMinute } from './finished-per-minute.ts';

/** What the dashboard reads of a BullMQ queue (an inference queue or the webhooks queue). */
export type ObservedQueue = Pick<InferenceQueue, 'name' | 'getJobCounts' | 'getMetrics' | 'getWorkersCount' | 'isPaused'>;

export type QueueOverview = {
  name: string;
  /** The provider an inference queue serves; null for the webhooks queue. */
  provider: string | null;
  /** Ready to run (prioritized included). */
  waiting: number;
  active: number;
  /** Waiting for a retry backoff or a scheduled time. */
  delayed: number;
  /** Failed jobs BullMQ still keeps. */
  failed: number;
  paused: boolean;
  workers: number;
  /** Over the last 60 s, from BullMQ's metrics; null when the queue records none. */
  completed_per_minute: number | null;
  failed_per_minute: number | null;
};

export async function queueOverview(queue: ObservedQueue, provider: string | null, now: number): Promise<QueueOverview> {
  const [counts, completed, failed, workers, paused] = await Promise.all([
    queue.getJobCounts('wait', 'prioritized', 'paused', 'active', 'delayed', 'failed'),
    queue.getMetrics('completed', 0, 1),
    queue.getMetrics('failed', 0, 1),
    queue.getWorkersCount().catch(() => 0),
    queue.isPaused(),
  ]);
  return {
    name: queue.name,
    provider,
    waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts.paused ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
    paused,
    workers,
    completed_per_minute: finishedPerMinute(completed, now),
    failed_per_minute: finishedPerMinute(failed, now),
  };
}
