// The metrics alert rules read: the quantities the Prometheus metrics describe, measured
// cluster-wide by the evaluator (Redis and Postgres), not by one process's counters.

export const ruleMetrics = {
  /** 1 per deployment whose breaker is open or half-open (not closed again yet), else 0; subject `provider/model`. */
  breaker_open: { perProvider: true },
  /** Failed / finished (completed + failed) jobs of the provider in the last 5 minutes, once it finished `alerts.errorRatioMinimumJobs`. */
  provider_error_ratio: { perProvider: true },
  /** Age in seconds of the provider queue's oldest waiting job (any lane); 0 when none waits. */
  queue_wait_seconds: { perProvider: true },
  /** Jobs waiting in the provider's queue (waiting, prioritized and delayed), like `switchyard_queue_waiting`. */
  queue_waiting: { perProvider: true },
  /** Ledger stream entries not yet written to Postgres; subject `ledger`. */
  ledger_lag: { perProvider: false },
  /** Month-to-date spend / monthly budget of each org with a (non-zero) budget; subject the org id. */
  budget_used_ratio: { perProvider: false },
} as const;

export type RuleMetric = keyof typeof ruleMetrics;
export const ruleMetricNames = Object.keys(ruleMetrics) as RuleMetric[];

export const isRuleMetric = (name: string): name is RuleMetric => Object.hasOwn(ruleMetrics, name);

/** One measurement: what it was measured on, and for provider metrics, which provider. */
export type MetricSample = { subject: string; value: number; provider?: string };
