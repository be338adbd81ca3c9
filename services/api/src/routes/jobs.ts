import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { GatewayError, inferenceEndpoints } from '@switchyard/core';
import { enabledProviders } from '@switchyard/config';
import { findRequestState, loadCancelledJob, type RequestState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { checkJobIdParameter } from '../middleware/job-id.ts';
import { cancelRequest } from '../inference/cancel-request.ts';
import { findFinishedJob } from '../inference/finished-job-object.ts';
import { renderJobObject } from '../inference/job-object.ts';
import { parseEndpointBody } from '../inference/parse-endpoint-body.ts';
import { parsePrefer } from '../inference/prefer-header.ts';
import { checkStreaming, resolveRoutes } from '../inference/resolve-routes.ts';
import { runAsync } from '../inference/run-async.ts';
import { createJobEventsHandler } from '../streaming/job-events.ts';
import { streamingUnsupported } from '../streaming/streaming-unsupported.ts';

const createJobSchema = z.object({
  endpoint: z.enum(inferenceEndpoints),
  body: z.record(z.string(), z.unknown()),
  webhook_url: z.string().url().optional(),
  metadata: z.record(z.string(), z.string().max(512)).optional(),
  ttl_seconds: z.number().int().positive().max(7 * 24 * 3600).optional(),
});

function invalid(error: z.ZodError): GatewayError {
  const issue = error.issues[0]!;
  const param = issue.path.join('.') || null;
  return new GatewayError('invalid_request', `${param ?? 'body'}: ${issue.message}`, { param });
}

export function createJobsRouter(context: ApiContext): Router {
  const router = Router();
  const providerNames = () => enabledProviders(context.config).map((provider) => provider.name);

  /** The caller's request state; another org's id answers 404 like an unknown one. */
  async function findOwnState(orgId: string, id: string): Promise<RequestState | undefined> {
    const state = await findRequestState(context.queues, providerNames(), id);
    return state && state.data.orgId === orgId ? state : undefined;
  }

  async function findOwnJob(orgId: string, id: string) {
    const state = await findOwnState(orgId, id);
    if (state) return renderJobObject(context.config, state);
    const cancelled = await loadCancelledJob(context.redis, context.config.redis.prefix, id);
    if (cancelled) return cancelled.orgId === orgId ? cancelled.job : undefined;
    // Redis keeps finished jobs for the retention window; the ledger keeps them for good.
    return findFinishedJob(context.db, context.config, orgId, id);
  }

  router.param('id', checkJobIdParameter);
  const notFound = (id: string) => new GatewayError('not_found', `No job found with id '${id}'.`, { param: 'id' });

  router.post('/jobs', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const parsedJob = createJobSchema.safeParse(request.body);
    if (!parsedJob.success) throw invalid(parsedJob.error);
    const job = parsedJob.data;
    const parsed = parseEndpointBody(job.endpoint, job.body);
    if (parsed.stream && parsed.call.kind !== 'chat') throw streamingUnsupported(job.endpoint);
    const { model, routes } = resolveRoutes(context.config, parsed.requestedModel, parsed.call);
    if (parsed.stream) checkStreaming(model, parsed.requestedModel);
    const prefer = parsePrefer(request, context.config.server.maxPreferWaitSeconds);
    await runAsync(
      context,
      response,
      {
        requestId: response.locals.requestId as string,
        principal,
        endpoint: job.endpoint,
        call: parsed.call,
        requestedModel: parsed.requestedModel,
        routes,
        stream: parsed.stream,
        includeUsage: parsed.includeUsage,
        ...(job.metadata ? { metadata: job.metadata } : {}),
        ...(job.webhook_url ? { webhookUrl: job.webhook_url } : {}),
      },
      { ttlSeconds: job.ttl_seconds, waitSeconds: prefer.waitSeconds },
    );
  });

  router.get('/jobs/:id', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const id = String(request.params.id);
    const job = await findOwnJob(principal.orgId, id);
    if (!job) throw notFound(id);
    response.json(job);
  });

  router.get('/jobs/:id/events', createJobEventsHandler(context, findOwnState));

  router.post('/jobs/:id/cancel', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const id = String(request.params.id);
    const state = await findOwnState(principal.orgId, id);
    if (!state) {
      const job = await findOwnJob(principal.orgId, id);
      if (!job) throw notFound(id);
      response.json(job);
      return;
    }
    if (state.outcome) {
      response.json(renderJobObject(context.config, state));
      return;
    }
    if (await cancelRequest(context, state)) {
      response.json(await findOwnJob(principal.orgId, id));
      return;
    }
    // Running: the worker aborts the upstream call and records the job as cancelled.
    const deadline = Date.now() + 5000;
    let current: RequestState | undefined = state;
    while (current && !current.outcome && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      current = await findOwnState(principal.orgId, id);
    }
    response.json(renderJobObject(context.config, current ?? state));
  });

  return router;
}
