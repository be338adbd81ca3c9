import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ApiContext } from './context.ts';
import { providerStatus } from './routes/health.ts';

const breakerValue = { closed: 0, half_open: 1, open: 2 } as const;

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/**
 * Prometheus metrics of one api process, registered once on the process registry (which
 * `all` shares with its other services). Queue depth per provider is what the Kubernetes
 * manifests scale workers on (KEDA, infra/k8s).
 */
export function createApiMetrics(registry: Registry) {
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
    help: 'Jobs waiting per provider queue (all lanes)',
    labelNames: ['provider'],
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

  /** GET /metrics: the cluster view (queues, workers, breakers) is read at scrape time through the serving app's context. */
  const handler = (context: ApiContext) => async (_request: Request, response: Response) => {
    const providers = await providerStatus(context);
    // Deployments come and go with the catalog: only the current ones are reported.
    breaker.reset();
    for (const [name, status] of Object.entries(providers)) {
      queued.set({ provider: name }, status.queued);
      active.set({ provider: name }, status.in_progress);
      workers.set({ provider: name }, status.workers);
      for (const [model, deployment] of Object.entries(status.models)) breaker.set({ provider: name, model }, breakerValue[deployment.breaker]);
    }
    pending.set(context.replyBus.pendingCount);
    response.setHeader('content-type', registry.contentType);
    response.end(await registry.metrics());
  };

  return { registry, observe, handler };
}
