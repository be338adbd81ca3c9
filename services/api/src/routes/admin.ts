import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { GatewayError } from '@switchyard/core';
import { enabledProviders } from '@switchyard/config';
import { createApiKey, createOrg, getOrg, revokeApiKey, updateOrg, type Org } from '@switchyard/db';
import type { ApiContext } from '../context.ts';
import { providerStatus } from './health.ts';

const budget = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d{1,9})?$/)]).nullable().optional();
const limit = z.number().int().positive().nullable().optional();
const orgLimitsSchema = z.object({ monthly_budget_usd: budget, rpm_limit: limit, tpm_limit: limit });
const createOrgSchema = orgLimitsSchema.extend({ name: z.string().min(1).max(200) });
const createKeySchema = z.object({ name: z.string().min(1).max(200).default('default') });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.join('.') || null;
  throw new GatewayError('invalid_request', `${param ?? 'body'}: ${issue.message}`, { param });
}

export function renderOrg(org: Org) {
  return {
    id: org.id,
    object: 'organization' as const,
    name: org.name,
    monthly_budget_usd: org.monthlyBudgetUsd,
    rpm_limit: org.rpmLimit,
    tpm_limit: org.tpmLimit,
    created_at: Math.floor(org.createdAt.getTime() / 1000),
  };
}

/** Tenancy and operations for the holder of SWITCHYARD_ADMIN_KEY. */
export function createAdminRouter(context: ApiContext, options: { onKeyRevoked: () => void }): Router {
  const router = Router();
  const { db } = context;

  router.post('/orgs', async (request: Request, response: Response) => {
    const body = parse(createOrgSchema, request.body);
    const org = await createOrg(db, { name: body.name, monthlyBudgetUsd: body.monthly_budget_usd, rpmLimit: body.rpm_limit, tpmLimit: body.tpm_limit });
    response.status(201).json(renderOrg(org));
  });

  router.patch('/orgs/:id', async (request: Request, response: Response) => {
    const body = parse(orgLimitsSchema, request.body);
    const org = await updateOrg(db, String(request.params.id), { monthlyBudgetUsd: body.monthly_budget_usd, rpmLimit: body.rpm_limit, tpmLimit: body.tpm_limit });
    if (!org) throw new GatewayError('not_found', `No organization found with id '${request.params.id}'.`);
    response.json(renderOrg(org));
  });

  router.post('/orgs/:id/keys', async (request: Request, response: Response) => {
    const body = parse(createKeySchema, request.body);
    const orgId = String(request.params.id);
    if (!(await getOrg(db, orgId))) throw new GatewayError('not_found', `No organization found with id '${orgId}'.`);
    const key = await createApiKey(db, { orgId, name: body.name });
    response.status(201).json({
      id: key.id,
      object: 'api_key' as const,
      org_id: key.orgId,
      name: key.name,
      key: key.key,
      key_prefix: key.keyPrefix,
      created_at: Math.floor(key.createdAt.getTime() / 1000),
    });
  });

  router.delete('/keys/:id', async (request: Request, response: Response) => {
    const id = String(request.params.id);
    if (!(await revokeApiKey(db, id))) throw new GatewayError('not_found', `No active key found with id '${id}'.`);
    options.onKeyRevoked();
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

  return router;
}
