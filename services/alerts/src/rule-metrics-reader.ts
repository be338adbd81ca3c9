import type { RedisConnection } from '@switchyard/queue';
import type { SwitchyardConfig } from '@switchyard/config';
import type { Database, Kysely } from '@switchyard/db';
import { createPostgresRuleMetrics } from './rule-metrics-postgres.ts';
import { createRedisRuleMetrics } from './rule-metrics-redis.ts';
import type { MetricSample, RuleMetric } from './rule-metrics.ts';

/** A metric's samples, or why it could not be read this time. */
export type MetricReading = { samples: MetricSample[] } | { error: unknown };

export type RuleMetricReader = {
  /** Reads the metrics asked for, each on its own: one that fails does not keep the others from the rules. */
  read(metrics: Iterable<RuleMetric>, now: Date): Promise<Map<RuleMetric, MetricReading>>;
  close(): Promise<void>;
};

export function createRuleMetricReader(options: { config: SwitchyardConfig; db: Kysely<Database>; redis: RedisConnection }): RuleMetricReader {
  const fromRedis = createRedisRuleMetrics(options);
  const fromPostgres = createPostgresRuleMetrics({ db: options.db, errorRatioMinimumJobs: options.config.alerts.errorRatioMinimumJobs });
  const readers: Record<RuleMetric, (now: Date) => Promise<MetricSample[]>> = {
    breaker_open: () => fromRedis.breakerOpen(),
    provider_error_ratio: (now) => fromPostgres.providerErrorRatio(now),
    queue_wait_seconds: (now) => fromRedis.queueWaitSeconds(now),
    queue_waiting: () => fromRedis.queueWaiting(),
    ledger_lag: () => fromRedis.ledgerLag(),
    budget_used_ratio: (now) => fromPostgres.budgetUsedRatio(now),
  };
  return {
    async read(metrics, now) {
      const wanted = [...new Set(metrics)];
      const readings = await Promise.all(
        wanted.map(async (metric): Promise<MetricReading> => {
          try {
            return { samples: await readers[metric](now) };
          } catch (error) {
            return { error };
          }
        }),
      );
      return new Map(wanted.map((metric, index) => [metric, readings[index]!]));
    },
    close: () => fromRedis.close(),
  };
}
