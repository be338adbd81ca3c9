import { Router, type Request, type Response } from 'express';
import { GatewayError } from '@switchyard/core';
import { enabledProviders } from '@switchyard/config';
import { createApiKey, createOrg, getOrg, listApiKeys, listOrgs, revokeApiKey, updateOrg, type ApiKeySummary, type Org } from '@switchyard/db';
import { bumpAuthRevision } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { createKeyBody, createOrgBody, parseAdminBody, updateOrgBody } from './admin-bodies.ts';
import { providerStatus } from './health.ts';

const seconds = (date: Date | null): number | null => (date ? Math.floor(date.getTime() / 1000) : null);

export function renderOrg(org: Org) {
  return {
    id: org.id,
    object: 'organization' as const,
    name: org.name,
    monthly_budget_usd: org.monthlyBudgetUsd,
    rpm_limit: org.rpmLimit,
    tpm_limit: org.tpmLimit,
    created_at: seconds(org.createdAt)!,
  };
}

/** A key as listings show it: never the secret, only the prefix that tells keys apart. */
export function renderKeySummary(key: ApiKeySummary) {
  return {
    id: key.id,
    object: 'api_key' as const,
    org_id: key.orgId,
    name: key.name,
    key_prefix: key.keyPrefix,
    created_at: seconds(key.createdAt)!,
    revoked_at: seconds(key.revokedAt),
    last_used_at: seconds(key.lastUsedAt),
  };
}

/** Tenancy and operations for the holder of SWITCHYARD_ADMIN_KEY. */
export function createAdminRouter(context: ApiContext, options: { onKeyRevoked: () => void }): Router {
  const router = Router();
  const { db } = context;

  // Cached principals (key validity, org limits) on every api process are dropped at once.
  const invalidatePrincipals = async (reason: string): Promise<void> => {
    options.onKeyRevoked();
    await bumpAuthRevision(context.redis, context.config.redis.prefix).catch((error: unknown) =>
      context.logger.warn({ err: error, reason }, 'could not publish the change to other api processes; their key caches expire within 10 s'),
    );
  };

  const requireOrg = async (orgId: string): Promise<Org> => {
    const org = await getOrg(db, orgId);
    if (!org) throw new GatewayError('not_found', `No organization found with id '${orgId}'.`);
    return org;
  };

  router.get('/orgs', async (_request: Request, response: Response) => {
    response.json({ object: 'list', data: (await listOrgs(db)).map(renderOrg) });
  });

  router.post('/orgs', async (request: Request, response: Response) => {
    const body = parseAdminBody(createOrgBody, request.body);
    const org = await createOrg(db, { name: body.name, monthlyBudgetUsd: body.monthly_budget_usd, rpmLimit: body.rpm_limit, tpmLimit: body.tpm_limit });
    response.status(201).json(renderOrg(org));
  });

  router.get('/orgs/:id', async (request: Request, response: Response) => {
    response.json(renderOrg(await requireOrg(String(request.params.id))));
  });

  router.patch('/orgs/:id', async (request: Request, response: Response) => {
    const body = parseAdminBody(updateOrgBody, request.body);
    const org = await updateOrg(db, String(request.params.id), { monthlyBudgetUsd: body.monthly_budget_usd, rpmLimit: body.rpm_limit, tpmLimit: body.tpm_limit });
    if (!org) throw new GatewayError('not_found', `No organization found with id '${request.params.id}'.`);
    await invalidatePrincipals('org limits changed');
    response.json(renderOrg(org));
  });

  router.get('/orgs/:id/keys', async (request: Request, response: Response) => {
    const org = await requireOrg(String(request.params.id));
    response.json({ object: 'list', data: (await listApiKeys(db, org.id)).map(renderKeySummary) });
  });

  router.post('/orgs/:id/keys', async (request: Request, response: Response) => {
    const body = parseAdminBody(createKeyBody, request.body);
    const org = await requireOrg(String(request.params.id));
    const key = await createApiKey(db, { orgId: org.id, name: body.name });
    response.status(201).json({
      id: key.id,
      object: 'api_key' as const,
      org_id: key.orgId,
      name: key.name,
      key: key.key,
      key_prefix: key.keyPrefix,
      created_at: seconds(key.createdAt)!,
    });
  });

  router.delete('/keys/:id', async (request: Request, response: Response) => {
    const id = String(request.params.id);
    if (!(await revokeApiKey(db, id))) throw new GatewayError('not_found', `No active key found with id '${id}'.`);
    await invalidatePrincipals('key revoked');
    response.json({ id, object: 'api_key', revoked: true });
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
      ...(status[provider.name] ?? { status: 'disabled', breaker: 'closed', workers: 0, queued: 0, in_progress: 0 }),
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

  return router;
}
