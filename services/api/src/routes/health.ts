import { Router, type Request, type Response } from 'express';
import { sql } from 'kysely';
import { enabledProviders } from '@switchyard/config';
import { activeAlertCounts } from '@switchyard/db';
import { providerBreakerState, type BreakerState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { healthScore, providerCounts } from './health-summary.ts';

export type ProviderStatus = {
  /** up | degraded (some models' breakers not closed) | no_workers | down (every model's breaker open) */
  status: string;
  /** The provider as a whole: open only when every known model's breaker is open. */
  breaker: BreakerState;
  /** Breaker per deployment, keyed by the upstream model id. */
  models: Record<string, { breaker: BreakerState }>;
  workers: number;
  queued: number;
  in_progress: number;
};

export async function providerStatus(context: ApiContext) {
  const providers: Record<string, ProviderStatus> = {};
  await Promise.all(
    enabledProviders(context.config).map(async (provider) => {
      const queue = context.queues.get(provider.name);
      const [counts, workers] = await Promise.all([queue.getJobCounts('wait', 'prioritized', 'delayed', 'active'), queue.getWorkersCount().catch(() => 0)]);
      const deployments = context.breakers.deployments(provider.name);
      const breaker = providerBreakerState(deployments.map((deployment) => deployment.state));
      const degraded = deployments.some((deployment) => deployment.state !== 'closed');
      providers[provider.name] = {
        status: breaker === 'open' ? 'down' : workers === 0 ? 'no_workers' : degraded ? 'degraded' : 'up',
        breaker,
        models: Object.fromEntries(deployments.map((deployment) => [deployment.model, { breaker: deployment.state }])),
        workers,
        queued: (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
        in_progress: counts.active ?? 0,
      };
    }),
  );
  return providers;
}

export function createHealthRouter(context: ApiContext): Router {
  const router = Router();
  router.get('/health', (_request: Request, response: Response) => {
    response.json({ status: 'ok' });
  });
  router.get('/ready', async (_request: Request, response: Response) => {
    // A load balancer that still asks (on a kept-alive connection) takes this one out.
    if (context.draining()) {
      response.status(503).json({ status: 'draining' });
      return;
    }
    const [redis, postgres] = await Promise.all([
      context.redis.ping().then(
        () => true,
        () => false,
      ),
      sql`select 1`.execute(context.db).then(
        () => true,
        () => false,
      ),
    ]);
    response.status(redis && postgres ? 200 : 503).json({ status: redis && postgres ? 'ready' : 'not_ready', redis, postgres });
  });
  return router;
}

/**
 * `GET /v1/health`: per-provider view for humans and dashboards (authenticated), with a
 * summary: provider counts, the firing alerts by severity (null when Postgres cannot say),
 * this process's memory, and a 0-100 score of both (health-summary.ts).
 */
export function createProviderHealthHandler(context: ApiContext) {
  return async (_request: Request, response: Response) => {
    const [providers, alerts] = await Promise.all([providerStatus(context), activeAlertCounts(context.db).catch(() => null)]);
    const degraded = Object.values(providers).some((provider) => provider.status !== 'up');
    const counts = providerCounts(context.config, providers);
    const memory = process.memoryUsage();
    response.json({
      status: degraded ? 'degraded' : 'ok',
      health_score: healthScore(counts, alerts),
      provider_counts: counts,
      active_alerts: alerts,
      memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed },
      providers,
      timestamp: new Date().toISOString(),
    });
  };
}
