import { GatewayError, type CanonicalCall, type InferenceEndpoint, type InferenceJobData, type JobMode, type Route } from '@switchyard/core';
import { appendLedgerEntries, inferenceJobName, inferenceJobOptions } from '@switchyard/queue';
import type { Principal } from '../middleware/authenticate.ts';
import type { ApiContext } from '../context.ts';

export type EnqueueRequest = {
  requestId: string;
  principal: Principal;
  endpoint: InferenceEndpoint;
  mode: JobMode;
  call: CanonicalCall;
  requestedModel: string;
  routes: Route[];
  stream: boolean;
  includeUsage?: boolean;
  deadline: number;
  replyTo?: string;
  metadata?: Record<string, string>;
  webhookUrl?: string;
};

export function buildJobData(request: EnqueueRequest, now = Date.now()): InferenceJobData {
  const data: InferenceJobData = {
    requestId: request.requestId,
    orgId: request.principal.orgId,
    keyId: request.principal.keyId,
    endpoint: request.endpoint,
    mode: request.mode,
    stream: request.stream,
    requestedModel: request.requestedModel,
    call: request.call,
    routes: request.routes,
    routeIndex: 0,
    createdAt: now,
    deadline: request.deadline,
  };
  if (request.includeUsage) data.includeUsage = true;
  if (request.replyTo) data.replyTo = request.replyTo;
  if (request.metadata) data.metadata = request.metadata;
  if (request.webhookUrl) data.webhookUrl = request.webhookUrl;
  return data;
}

/**
 * Skips routes whose breaker is open, so the request starts on the first healthy one;
 * when every route is open the caller gets 503 at once, with the shortest cool-down left.
 */
export async function skipOpenRoutes(context: ApiContext, data: InferenceJobData): Promise<void> {
  let shortestRetryMs = Number.POSITIVE_INFINITY;
  for (let index = 0; index < data.routes.length; index++) {
    const route = data.routes[index]!;
    if (context.breakers.state(route) !== 'open') {
      if (index > 0) data.routes = data.routes.slice(index);
      return;
    }
    const snapshot = await context.breakers.snapshot(route);
    // Cooled down: let it through so a worker can probe the provider (half-open).
    if (snapshot.state !== 'open' || (snapshot.retryAfterMs ?? 0) === 0) {
      if (index > 0) data.routes = data.routes.slice(index);
      return;
    }
    shortestRetryMs = Math.min(shortestRetryMs, snapshot.retryAfterMs ?? 1000);
  }
  throw new GatewayError('provider_unavailable', `every provider that can serve \`${data.requestedModel}\` is unavailable (circuit open)`, {
    retryAfterMs: Math.max(1000, shortestRetryMs),
  });
}

/** Puts the request on its first route's provider queue. Durable from here on. */
export async function enqueue(context: ApiContext, data: InferenceJobData): Promise<void> {
  await skipOpenRoutes(context, data);
  context.backpressure.admit(data, data.routes[0]!.provider);
  const route = data.routes[0]!;
  const provider = context.config.providers[route.provider]!;
  try {
    await context.queues
      .get(route.provider)
      .add(inferenceJobName, data, inferenceJobOptions(data, { attempts: provider.attempts, retentionSeconds: context.config.jobs.retentionSeconds }));
  } catch (error) {
    context.logger.error({ err: error, requestId: data.requestId }, 'enqueue failed');
    throw new GatewayError('provider_unavailable', 'the gateway could not queue the request (queue store unreachable)', { retryAfterMs: 1000 });
  }
  // Async jobs are listed by GET /v1/jobs (Postgres) while they wait; sync ones need not be.
  if (data.mode !== 'sync') {
    const record = {
      id: data.requestId,
      orgId: data.orgId,
      keyId: data.keyId,
      endpoint: data.endpoint,
      model: data.requestedModel,
      mode: data.mode,
      status: 'queued' as const,
      attempts: 0,
      createdAt: data.createdAt,
      ...(data.metadata ? { metadata: data.metadata } : {}),
    };
    await appendLedgerEntries(context.redis, context.config.redis.prefix, [{ type: 'job', record }]).catch((error: unknown) =>
      context.logger.warn({ err: error, requestId: data.requestId }, 'could not record the queued job in the ledger'),
    );
  }
}
