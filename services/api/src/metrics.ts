import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { enabledProviders, type SwitchyardConfig } from '@switchyard/config';
import { renderMergedMetrics, type MetricsSnapshot } from '@switchyard/observability';
import type { CircuitBreakers, InferenceQueues, ReplyBus } from '@switchyard/queue';
import { lanePriorities, queueLanes, waitingByLane } from './queue-lanes.ts';

const breakerValue = { closed: 0, half_open: 1, open: 2 } as const;

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/** What a scrape reads: the serving app's context (named here, not imported, so the context can hold the metrics). */
type ClusterView = { config: SwitchyardConfig; queues: InferenceQueues; breakers: CircuitBreakers; replyBus: ReplyBus };

/**
 * Prometheus metrics of one api process, registered once on the process registry (which
 * `all` shares with its other services). Queue depth per provider is what the Kubernetes
 * manifests scale workers on (KEDA, infra/k8s): every lane of it, since Redis list scalers
 * see only the plain wait list and miss prioritised and delayed jobs. `moreMetrics` gives the
 * registries of the process's other threads (`all`'s worker threads), merged into the scrape.
 */
export function createApiMetrics(registry: Registry, options: { moreMetrics?: () => Promise<MetricsSnapshot[]> } = {}) {
  const requests = new Counter({
    name: 'switchyard_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'switchyard_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const queued = new Gauge({
    name: 'switchyard_queue_waiting',
    help: 'Jobs waiting per provider queue and lane (sync, async, batch; delayed: retries in backoff)',
    labelNames: ['provider', 'lane'],
    registers: [registry],
  });
  const active = new Gauge({
    name: 'switchyard_queue_active',
    help: 'Jobs being processed per provider queue',
    labelNames: ['provider'],
    registers: [registry],
  });
  const workers = new Gauge({
    name: 'switchyard_workers',
    help: 'Live worker connections per provider queue',
    labelNames: ['provider'],
    registers: [registry],
  });
  const breaker = new Gauge({
    name: 'switchyard_breaker_state',
    help: 'Circuit breaker per deployment (provider and upstream model): 0 closed, 1 half-open, 2 open',
    labelNames: ['provider', 'model'],
    registers: [registry],
  });
  const cacheRequests = new Counter({
    name: 'switchyard_cache_requests_total',
    help: 'Inference requests the response cache applied to: hit, miss, or skip (no-cache / no-store, or not cacheable)',
    labelNames: ['result'],
    registers: [registry],
  });
  const pending = new Gauge({ name: 'switchyard_sync_waiters', help: 'Sync requests this api process is waiting on', registers: [registry] });

  const observe = (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      // The matched route pattern, never the raw path: ids would explode the label set.
      const route = request.route?.path ? `${request.baseUrl}${request.route.path}` : 'unmatched';
      requests.inc({ route, status: String(response.statusCode) });
      duration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };

  /** One provider's cluster view: three Redis round trips (counts per priority, delayed and active, worker connections). */
  const readProvider = async (context: ClusterView, provider: string) => {
    const queue = context.queues.get(provider);
    const [perPriority, counts, workerCount] = await Promise.all([
      queue.getCountsPerPriority([...lanePriorities]),
      queue.getJobCounts('delayed', 'active'),
      queue.getWorkersCount().catch(() => 0),
    ]);
    return { provider, lanes: waitingByLane(perPriority, counts.delayed ?? 0), active: counts.active ?? 0, workers: workerCount };
  };

  /** GET /metrics: the cluster view (queues, workers, breakers) is read at scrape time through the serving app's context. */
  const handler = (context: ClusterView) => async (_request: Request, response: Response) => {
    const providers = await Promise.all(enabledProviders(context.config).map((provider) => readProvider(context, provider.name)));
    // Providers and deployments come and go with the catalog: only the current ones are
    // reported, and the gauges are swapped in one step, so a concurrent scrape never sees half.
    for (const gauge of [queued, active, workers, breaker]) gauge.reset();
    for (const view of providers) {
      for (const lane of queueLanes) queued.set({ provider: view.provider, lane }, view.lanes[lane]);
      active.set({ provider: view.provider }, view.active);
      workers.set({ provider: view.provider }, view.workers);
      for (const deployment of context.breakers.deployments(view.provider))
        breaker.set({ provider: view.provider, model: deployment.model }, breakerValue[deployment.state]);
    }
    pending.set(context.replyBus.pendingCount);
    const { moreMetrics } = options;
    const text = moreMetrics ? await renderMergedMetrics([await registry.getMetricsAsJSON(), ...(await moreMetrics())]) : await registry.metrics();
    response.setHeader('content-type', registry.contentType);
    response.end(text);
  };

  /** One inference request's cache outcome. */
  const countCacheRequest = (result: 'hit' | 'miss' | 'skip') => cacheRequests.inc({ result });

  return { registry, observe, handler, countCacheRequest };
}
