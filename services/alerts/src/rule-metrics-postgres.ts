import { budgetUsageByOrg, finishedJobsByProvider, type Database, type Kysely } from '@switchyard/db';
import type { MetricSample } from './rule-metrics.ts';

const errorRatioWindowMs = 5 * 60_000;

/** The metrics read from Postgres: providers' error ratio over the last 5 minutes, orgs' budget use this month. */
export function createPostgresRuleMetrics(options: { db: Kysely<Database>; errorRatioMinimumJobs: number }) {
  const { db } = options;
  return {
    async providerErrorRatio(now: Date): Promise<MetricSample[]> {
      const rows = await finishedJobsByProvider(db, new Date(now.getTime() - errorRatioWindowMs));
      // Too few jobs say nothing: one failure out of two is not a sick provider.
      return rows
        .filter((row) => row.finished >= options.errorRatioMinimumJobs)
        .map((row) => ({ subject: row.provider, provider: row.provider, value: row.failed / row.finished }));
    },
    async budgetUsedRatio(now: Date): Promise<MetricSample[]> {
      const rows = await budgetUsageByOrg(db, now);
      // A zero budget blocks the org on purpose; there is no share of it to report.
      return rows.filter((row) => Number(row.budgetUsd) > 0).map((row) => ({ subject: row.orgId, value: Number(row.spendUsd) / Number(row.budgetUsd) }));
    },
  };
}
