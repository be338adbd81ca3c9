import { GatewayError, type InferenceJobData } from '@switchyard/core';
import { enabledProviders, type SwitchyardConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import type { InferenceQueues } from '@switchyard/queue';
import { nextLoad, type ProviderLoad } from './provider-load.ts';

const trustedAfterSamples = 3;

export type Backpressure = {
  /** 429 queue_full when the provider's queue is too deep for this request; undefined when it has room. */
  refusal(data: InferenceJobData, provider: string): GatewayError | undefined;
  /** The provider's last sampled load (live workers included); undefined before the first sample. */
  load(provider: string): ProviderLoad | undefined;
  /** When a sample last saw a live worker on the provider's queue (a restart leaves a short gap). */
  workerSeenAt(provider: string): number | undefined;
  close(): void;
};

const minimumRetryAfterMs = 1000;
const maximumRetryAfterMs = 120_000;

/**
 * Backpressure: refuse work that would only time out. Queue depth and recent throughput
 * (completions per second, from BullMQ's metrics counter) are sampled on a timer, so the
 * check on the request path is a map lookup.
 */
export function createBackpressure(options: { config: SwitchyardConfig; queues: InferenceQueues; logger: Logger; sampleMs?: number }): Backpressure {
  const { config, queues } = options;
  const loads = new Map<string, ProviderLoad>();
  const workersSeenAt = new Map<string, number>();

  const sample = async () => {
    await Promise.all(
      enabledProviders(config).map(async (provider) => {
        const queue = queues.get(provider.name);
        const [counts, metrics, workers] = await Promise.all([
          queue.getJobCounts('wait', 'prioritized', 'delayed'),
          queue.getMetrics('completed', 0, 0),
          queue.getWorkersCount(),
        ]);
        const waitingSync = counts.wait ?? 0;
        const waitingAll = waitingSync + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
        const completedTotal = Number(metrics.meta.count ?? 0);
        const sampledAt = Date.now();
        if (workers > 0) workersSeenAt.set(provider.name, sampledAt);
        loads.set(provider.name, nextLoad(loads.get(provider.name), { waitingSync, waitingAll, completedTotal, workers, sampledAt }));
      }),
    );
  };
  const timer = setInterval(() => void sample().catch((error) => options.logger.debug({ err: error }, 'backpressure sample failed')), options.sampleMs ?? 500);
  timer.unref();
  void sample().catch(() => {});

  const retryAfterMs = (waitingBeyond: number, throughput: number) =>
    Math.min(maximumRetryAfterMs, Math.max(minimumRetryAfterMs, throughput > 0 ? Math.ceil((waitingBeyond / throughput) * 1000) : 5000));

  return {
    refusal(data, providerName) {
      const load = loads.get(providerName);
      const provider = config.providers[providerName];
      if (!load || !provider) return undefined;
      // Sync requests jump the async and batch lanes, so only sync work is ahead of them: a
      // large batch backlog must not turn chat away.
      const ahead = data.mode === 'sync' ? load.waitingSync : load.waitingAll;
      if (ahead >= provider.maxQueueDepth) {
        return new GatewayError('queue_full', `the ${providerName} queue is full (${ahead} waiting); retry later`, {
          retryAfterMs: retryAfterMs(ahead - provider.maxQueueDepth + 1, load.throughputPerSecond),
        });
      }
      if (data.mode === 'sync' && load.backloggedSamples >= trustedAfterSamples && load.throughputPerSecond > 0 && ahead > 0) {
        const estimatedWaitMs = (ahead / load.throughputPerSecond) * 1000;
        if (Date.now() + estimatedWaitMs > data.deadline) {
          return new GatewayError('queue_full', `the ${providerName} queue would not reach this request before its deadline`, {
            retryAfterMs: retryAfterMs(ahead, load.throughputPerSecond),
          });
        }
      }
      return undefined;
    },
    load: (provider) => loads.get(provider),
    workerSeenAt: (provider) => workersSeenAt.get(provider),
    close: () => clearInterval(timer),
  };
}
