import { Router, type Request, type Response } from 'express';
import { enabledProviders } from '@switchyard/config';
import { bumpAuthRevision } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { createChaosAdminRouter } from './admin-chaos.ts';
import { createConfigAdminRouter } from './admin-config.ts';
import { createTenancyAdmin } from './admin-tenancy.ts';
import { providerStatus } from './health.ts';

/** Tenancy and operations for the holder of SWITCHYARD_ADMIN_KEY. */
export function createAdminRouter(context: ApiContext, options: { onKeyRevoked: () => void }): Router {
  const router = Router();
  const tenancy = createTenancyAdmin({
    db: context.db,
    // Cached principals (key validity, org limits) on every api process are dropped at once.
    invalidatePrincipals: async (reason) => {
      options.onKeyRevoked();
      await bumpAuthRevision(context.redis, context.config.redis.prefix).catch((error: unknown) =>
        context.logger.warn({ error: (error as Error).message, reason }, 'could not tell the other api processes; their key caches expire within 10 s'),
      );
    },
  });
  const id = (request: Request): string => String(request.params.id);

  router.get('/orgs', async (_request: Request, response: Response) => {
    response.json({ object: 'list', data: await tenancy.listOrgs() });
  });
  router.post('/orgs', async (request: Request, response: Response) => {
    response.status(201).json(await tenancy.createOrg(request.body));
  });
  router.get('/orgs/:id', async (request: Request, response: Response) => {
    response.json(await tenancy.getOrg(id(request)));
  });
  router.patch('/orgs/:id', async (request: Request, response: Response) => {
    response.json(await tenancy.updateOrg(id(request), request.body));
  });
  router.get('/orgs/:id/keys', async (request: Request, response: Response) => {
    response.json({ object: 'list', data: await tenancy.listKeys(id(request)) });
  });
  router.post('/orgs/:id/keys', async (request: Request, response: Response) => {
    response.status(201).json(await tenancy.createKey(id(request), request.body));
  });
  router.delete('/keys/:id', async (request: Request, response: Response) => {
    response.json(await tenancy.revokeKey(id(request)));
  });

  router.get('/providers', async (_request: Request, response: Response) => {
    const status = await providerStatus(context);
    const data = Object.values(context.config.providers).map((provider) => ({
      name: provider.name,
      kind: provider.kind,
      enabled: provider.enabled,
      disabled_reason: provider.disabledReason ?? null,
      concurrency: provider.concurrency,
      requests_per_minute: provider.requestsPerMinute,
      max_queue_depth: provider.maxQueueDepth,
      ...(status[provider.name] ?? { status: 'disabled', breaker: 'closed', models: {}, workers: 0, queued: 0, in_progress: 0 }),
    }));
    response.json({ object: 'list', data });
  });

  router.get('/queues', async (_request: Request, response: Response) => {
    const data = await Promise.all(
      enabledProviders(context.config).map(async (provider) => {
        const counts = await context.queues.get(provider.name).getJobCounts('wait', 'prioritized', 'delayed', 'active', 'completed', 'failed');
        return { provider: provider.name, queue: `inference-${provider.name}`, counts };
      }),
    );
    response.json({ object: 'list', data });
  });

  router.use(createConfigAdminRouter(context));
  router.use(createChaosAdminRouter(context));

  return router;
}
