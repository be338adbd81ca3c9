// The provider catalog: GET /v1/providers, GET /v1/providers/{name}/models[/{id}] and the
// admin's POST /v1/providers/{name}/models/refresh. Upstream model lists are fetched by a
// worker serving the provider (it holds the adapter and the key) and cached in Redis.
import { Router, type Request, type Response } from 'express';
import { GatewayError } from '@switchyard/core';
import { readProviderModels, requestProviderModelsRefresh, type CachedProviderModels } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { createAdminAuthenticator } from '../middleware/authenticate.ts';
import { providerStatus } from './health.ts';
import { providerModelEntries } from './providers-models.ts';

/** How long a request waits for a worker to fetch a list it asked for. */
const refreshWaitMs = 10_000;
const firstReadWaitMs = 3000;
const pollMs = 50;

/** What the routes below share: provider lookup (404), the refresh round trip and the list's shape. */
function providerCatalog(context: ApiContext) {
  const prefix = context.config.redis.prefix;

  const providerOf = (request: Request) => {
    const name = String(request.params.name);
    const provider = context.config.providers[name];
    if (!provider) throw new GatewayError('not_found', `no provider named '${name}'`, { param: 'name' });
    return provider;
  };

  /** Only a worker serving the provider can fetch its list: none for a disabled provider or one no worker consumes. */
  const servedByWorkers = async (name: string) =>
    context.config.providers[name]?.enabled === true &&
    ((await context.queues
      .get(name)
      .getWorkersCount()
      .catch(() => 1)) ?? 0) > 0;

  /** Asks the workers to fetch the list and waits for an entry newer than `after`; undefined when none came in time. */
  const refreshed = async (name: string, after: number, waitMs: number): Promise<CachedProviderModels | undefined> => {
    if (!(await servedByWorkers(name))) return undefined;
    // Not cut short when PUBLISH counts no listener: on a cluster it counts only one node's.
    await requestProviderModelsRefresh(context.redis, prefix, name);
    for (const stopAt = Date.now() + waitMs; Date.now() < stopAt; ) {
      const entry = await readProviderModels(context.redis, prefix, name);
      if (entry && entry.lastRefresh >= after) return entry;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    return undefined;
  };

  const renderList = (name: string, entry: CachedProviderModels | undefined, cached: boolean) => ({
    object: 'list',
    data: providerModelEntries(context.config, name, entry),
    provider: name,
    cached,
    last_refresh: entry ? new Date(entry.lastRefresh).toISOString() : null,
    upstream_list: entry ? entry.listed : null,
    ...(entry?.error ? { upstream_error: entry.error } : {}),
  });

  const listFor = async (name: string) => {
    const stored = await readProviderModels(context.redis, prefix, name);
    if (stored) return renderList(name, stored, true);
    // First read: have a worker fetch it, but answer the configured models if none does soon.
    const fetched = await refreshed(name, Date.now(), firstReadWaitMs);
    return renderList(name, fetched, false);
  };

  return { providerOf, refreshed, renderList, listFor };
}

/** The reads, for any API key. */
export function createProvidersRouter(context: ApiContext): Router {
  const router = Router();
  const { providerOf, listFor } = providerCatalog(context);

  router.get('/providers', async (_request: Request, response: Response) => {
    const status = await providerStatus(context);
    const data = Object.values(context.config.providers).map((provider) => ({
      id: provider.name,
      object: 'provider',
      kind: provider.kind,
      enabled: provider.enabled,
      ...(provider.disabledReason ? { disabled_reason: provider.disabledReason } : {}),
      breaker: status[provider.name]?.breaker ?? 'closed',
      workers: status[provider.name]?.workers ?? 0,
      models: Object.values(context.config.models)
        .filter((model) => model.provider === provider.name)
        .map((model) => model.id),
    }));
    response.json({ object: 'list', data });
  });

  router.get('/providers/:name/models', async (request: Request, response: Response) => {
    response.json(await listFor(providerOf(request).name));
  });

  router.get('/providers/:name/models/:id', async (request: Request, response: Response) => {
    const name = providerOf(request).name;
    const id = String(request.params.id);
    const entry = (await listFor(name)).data.find((model) => model.id === id);
    if (!entry) throw new GatewayError('model_not_found', `provider '${name}' has no model '${id}'`, { param: 'id' });
    response.json(entry);
  });

  return router;
}

/** The admin's refresh, mounted ahead of API-key authentication (the admin key is no org key). */
export function createProviderRefreshRouter(context: ApiContext): Router {
  const router = Router();
  const { providerOf, refreshed, renderList } = providerCatalog(context);
  router.post('/v1/providers/:name/models/refresh', createAdminAuthenticator(context.config.adminKey), async (request: Request, response: Response) => {
    const name = providerOf(request).name;
    const entry = await refreshed(name, Date.now(), refreshWaitMs);
    if (!entry)
      throw new GatewayError('provider_unavailable', `no worker serving '${name}' refreshed its model list within ${refreshWaitMs / 1000} s`, {
        retryable: true,
        retryAfterMs: 5000,
      });
    response.json(renderList(name, entry, false));
  });

  return router;
}
