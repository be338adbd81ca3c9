import { Job } from 'bullmq';
import type { RedisConnection } from '@switchyard/queue';
import { enabledProviders, routesFor, type SwitchyardConfig } from '@switchyard/config';
import { priorityByMode } from '@switchyard/core';
import { createCircuitBreakers, createInferenceQueues, ledgerStreamKey, type InferenceQueue } from '@switchyard/queue';
import type { MetricSample } from './rule-metrics.ts';

/** BullMQ's score of a prioritized job: priority * 2^32 + a counter, so each lane is one score range, oldest first. */
const laneWidth = 0x100000000;
const prioritizedLanes = [...new Set(Object.values(priorityByMode).filter((priority) => priority > 0))];

/**
 * The metrics read from Redis: breaker state of every catalog deployment (the breakers'
 * shared state, refreshed at each read), provider queue depth and the age of its oldest
 * waiting job, and the ledger stream's backlog.
 */
export function createRedisRuleMetrics(options: { config: SwitchyardConfig; redis: RedisConnection }) {
  const { config, redis } = options;
  const prefix = config.redis.prefix;
  const providers = enabledProviders(config);
  const breakers = createCircuitBreakers({
    redis,
    prefix,
    settings: Object.fromEntries(providers.map((provider) => [provider.name, provider.breaker])),
    deployments: Object.values(config.models).flatMap((model) => routesFor(config, model)),
    // Read on demand (refresh() below), not on a timer.
    refreshMs: 3_600_000,
  });
  const queues = createInferenceQueues({ connection: redis, prefix });

  /** When the queue's oldest waiting job was added: the tail of the sync lane's list and the head of each prioritized lane. */
  async function oldestWaitingSince(queue: InferenceQueue): Promise<number | undefined> {
    const [sync] = await queue.getJobs(['wait'], 0, 0, true);
    const laneHeads = await Promise.all(
      prioritizedLanes.map(async (priority) => {
        const [id] = await redis.zrangebyscore(queue.keys.prioritized!, priority * laneWidth, (priority + 1) * laneWidth - 1, 'LIMIT', 0, 1);
        return id ? Job.fromId(queue, id) : undefined;
      }),
    );
    const stamps = [sync, ...laneHeads].flatMap((job) => (job ? [job.timestamp] : []));
    return stamps.length > 0 ? Math.min(...stamps) : undefined;
  }

  return {
    async breakerOpen(): Promise<MetricSample[]> {
      await breakers.refresh();
      return providers.flatMap((provider) =>
        breakers.deployments(provider.name).map((deployment) => ({
          subject: `${provider.name}/${deployment.model}`,
          provider: provider.name,
          value: deployment.state === 'closed' ? 0 : 1,
        })),
      );
    },
    async queueWaiting(): Promise<MetricSample[]> {
      return Promise.all(
        providers.map(async (provider) => {
          const counts = await queues.get(provider.name).getJobCounts('wait', 'prioritized', 'delayed');
          return { subject: provider.name, provider: provider.name, value: (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0) };
        }),
      );
    },
    async queueWaitSeconds(now: Date): Promise<MetricSample[]> {
      return Promise.all(
        providers.map(async (provider) => {
          const since = await oldestWaitingSince(queues.get(provider.name));
          return { subject: provider.name, provider: provider.name, value: since === undefined ? 0 : Math.max(0, (now.getTime() - since) / 1000) };
        }),
      );
    },
    async ledgerLag(): Promise<MetricSample[]> {
      // Written entries are deleted from the stream (ackLedgerEntries), so its length is the backlog.
      return [{ subject: 'ledger', value: await redis.xlen(ledgerStreamKey(prefix)) }];
    },
    async close(): Promise<void> {
      breakers.close();
      await queues.close();
    },
  };
}
