export { createProcessRegistry } from './process-registry.ts';
export { serveMetrics, type MetricsServer } from './serve-metrics.ts';
