export { renderMergedMetrics, type MetricsSnapshot } from './merge-metrics.ts';
export { createProcessRegistry } from './process-registry.ts';
export { serveMetrics, type MetricsServer } from './serve-metrics.ts';
export { startTracing, type Tracing, type TracingOptions } from './tracing.ts';
export { contextFrom, injectTraceContext, jobAttributes, tracer, withEnqueueSpan, withSpan } from './tracing-spans.ts';
export { tracingOn } from './tracing-state.ts';
