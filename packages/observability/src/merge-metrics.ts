import { AggregatorRegistry, type Registry } from 'prom-client';

/** One registry's metrics as data (`registry.getMetricsAsJSON()`): what a worker thread of `all` sends the main thread. */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * The Prometheus text of several registries of one process (`all`'s main thread and its
 * worker threads) as one: prom-client's cluster aggregation, which sums series with the same
 * name and labels (counters, histogram buckets, gauges) and applies a metric's own
 * aggregator where it has one (the process metrics, which only the main thread reports).
 */
export function renderMergedMetrics(snapshots: MetricsSnapshot[]): Promise<string> {
  return AggregatorRegistry.aggregate(snapshots).metrics();
}
