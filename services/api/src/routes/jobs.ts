import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { GatewayError, inferenceEndpoints, parseWebhookAllowList, webhookUrlProblem } from '@switchyard/core';
import { enabledProviders } from '@switchyard/config';
import { findRequestState, loadCancelledJob, type RequestState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { idempotent } from '../middleware/idempotency.ts';
import { checkJobIdParameter } from '../middleware/job-id.ts';
import { cancelRequest } from '../inference/cancel-request.ts';
import { findFinishedJobRecord, renderFinishedJobObject } from '../inference/finished-job-object.ts';
import { renderJobObject } from '../inference/job-object.ts';
import { runInference } from '../inference/run-inference.ts';
import { createJobEventsHandler } from '../streaming/job-events.ts';

// OpenAI's metadata limits: 16 keys, keys up to 64 characters, values up to 512.
const metadataSchema = z
  .record(z.string().min(1).max(64, 'metadata keys are at most 64 characters'), z.string().max(512, 'metadata values are at most 512 characters'))
  .refine((metadata) => Object.keys(metadata).length <= 16, 'metadata holds at most 16 keys');

const jobEventTypes = ['job.completed', 'job.failed', 'job.cancelled', 'job.expired'] as const;

const createJobSchema = z.strictObject({
  endpoint: z.enum(inferenceEndpoints),
  body: z.record(z.string(), z.unknown()),
  // Checked against the webhook destination policy below; delivered by the webhooks service.
  webhook_url: z.string().max(2048, 'webhook_url is at most 2048 characters').optional(),
  webhook_events: z.array(z.enum(jobEventTypes)).min(1, 'webhook_events lists at least one event type (leave it out for all)').optional(),
  metadata: metadataSchema.optional(),
  ttl_seconds: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600)
    .optional(),
});

/** A chat body posted to /v1/jobs as is: say what the route takes. */
function bareBodyHint(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || 'endpoint' in body) return undefined;
  if (!('model' in body) && !('messages' in body) && !('input' in body)) return undefined;
  return (
    'POST /v1/jobs takes {"endpoint": "/v1/chat/completions", "body": {...the endpoint\'s request...}, "metadata"?: {...}, "ttl_seconds"?: N, "webhook_url"?: "https://...", "webhook_events"?: [...]}; ' +
    'to run a body as it is asynchronously, POST it to its endpoint with the header `Prefer: respond-async`'
  );
}

function invalid(error: z.ZodError, body: unknown): GatewayError {
  const hint = bareBodyHint(body);
  if (hint) return new GatewayError('invalid_request', hint, { param: 'endpoint' });
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    return new GatewayError(
      'invalid_request',
      `unknown field(s): ${issue.keys.join(', ')} (a job takes endpoint, body, metadata, ttl_seconds, webhook_url, webhook_events)`,
      {
        param: issue.keys[0] ?? null,
      },
    );
  }
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
    if (state?.outcome) return renderJobObject(context.config, state);
    // A job removed by a cancel leaves its final object; a forwarded one may still show its first route.
    const cancelled = await loadCancelledJob(context.redis, context.config.redis.prefix, id);
    if (state && !(cancelled && cancelled.orgId === orgId)) return renderJobObject(context.config, state);
    if (cancelled) return cancelled.orgId === orgId ? cancelled.job : undefined;
    // Redis keeps finished async jobs for the retention window (an answered sync job's record
    // until the ledger has written it); the ledger keeps every job for good.
    const record = await findFinishedJobRecord(context, orgId, id);
    return record && renderFinishedJobObject(context.config, record);
  }

  const allow = parseWebhookAllowList(context.config.webhooks.allow);
  /** The job's own webhook: a destination the policy accepts, and a filter only with a URL. */
  function checkWebhook(job: z.infer<typeof createJobSchema>): void {
    if (job.webhook_events && job.webhook_url === undefined)
      throw new GatewayError('invalid_request', 'webhook_events filters the events sent to webhook_url: give webhook_url too', { param: 'webhook_events' });
    if (job.webhook_url === undefined) return;
    const problem = webhookUrlProblem(job.webhook_url, allow);
    if (problem) throw new GatewayError('invalid_request', `webhook_url ${problem}`, { param: 'webhook_url' });
  }

  router.param('id', checkJobIdParameter);
  const notFound = (id: string) => new GatewayError('not_found', `No job found with id '${id}'.`, { param: 'id' });

  router.post('/jobs', idempotent(context, '/v1/jobs'), async (request: Request, response: Response) => {
    const parsedJob = createJobSchema.safeParse(request.body);
    if (!parsedJob.success) throw invalid(parsedJob.error, request.body);
    const job = parsedJob.data;
    checkWebhook(job);
    await runInference(context, request, response, {
      endpoint: job.endpoint,
      body: job.body,
      job: {
        ...(job.metadata ? { metadata: job.metadata } : {}),
        ...(job.ttl_seconds ? { ttlSeconds: job.ttl_seconds } : {}),
        ...(job.webhook_url ? { webhookUrl: job.webhook_url } : {}),
        ...(job.webhook_events ? { webhookEvents: [...new Set(job.webhook_events)] } : {}),
      },
    });
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
