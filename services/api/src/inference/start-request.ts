// The one way a request starts, whatever answers it (sync, stream, async job): build the
// job, pick where in its chain it starts, check the queue has room, register whatever
// listens for it BEFORE the enqueue, enqueue, and record a queued async job.
import {
  GatewayError,
  jobRecordOf,
  replyFromJobRecord,
  type CanonicalCall,
  type CondensationChoice,
  type InferenceEndpoint,
  type InferenceJobData,
  type JobMode,
  type Route,
  type StreamMessage,
} from '@switchyard/core';
import {
  appendLedgerEntries,
  inferenceJobName,
  inferenceJobOptions,
  readRequestStateOnRoutes,
  replyFromState,
  type RequestState,
  type ResultWait,
} from '@switchyard/queue';
import { withEnqueueSpan } from '@switchyard/observability';
import type { ApiContext } from '../context.ts';
import type { Principal } from '../middleware/authenticate.ts';
import { cancelRequest } from './cancel-request.ts';
import { findFinishedJobRecord } from './finished-job-object.ts';
import { chooseStartRoute, type RouteCondition } from './start-route.ts';

export type RequestSpec = {
  requestId: string;
  principal: Principal;
  endpoint: InferenceEndpoint;
  call: CanonicalCall;
  requestedModel: string;
  routes: Route[];
  stream: boolean;
  includeUsage?: boolean;
  mode: JobMode;
  /** Epoch ms the request was received (defaults to now). */
  createdAt?: number;
  /** Absolute epoch ms after which the job is not started (and a running call is cut). */
  deadline: number;
  metadata?: Record<string, string>;
  webhookUrl?: string;
  webhookEvents?: string[];
  /** `x-switchyard-condense`, when the request sent it. */
  condense?: CondensationChoice;
  /** Wait for the result on this process's reply channel, up to this many ms. */
  waitMs?: number;
  /** Live stream parts, listened for before the enqueue. */
  onParts?: (message: StreamMessage) => void;
};

/** What an answering path (sync, stream, async) is handed: the request before its mode sets the rest. */
export type InferenceSpec = Omit<RequestSpec, 'mode' | 'deadline' | 'waitMs' | 'onParts'>;

export type StartedRequest = {
  data: InferenceJobData;
  /** The request's state in Redis now (forwards followed). */
  readState(): Promise<RequestState | undefined>;
  /** The result, listened for since before the enqueue (present when `waitMs` was given). */
  result?: ResultWait;
  /** Stops listening for the request's stream parts and result. */
  stopListening(): void;
  /** Cancels the request wherever it is; true when it was removed before any worker took it. */
  cancel(): Promise<boolean>;
};

/** The job a request becomes. */
export function jobDataOf(spec: RequestSpec, replyTo: string | undefined): InferenceJobData {
  const data: InferenceJobData = {
    requestId: spec.requestId,
    orgId: spec.principal.orgId,
    keyId: spec.principal.keyId,
    endpoint: spec.endpoint,
    mode: spec.mode,
    stream: spec.stream,
    requestedModel: spec.requestedModel,
    call: spec.call,
    routes: spec.routes,
    routeIndex: 0,
    createdAt: spec.createdAt ?? Date.now(),
    deadline: spec.deadline,
  };
  if (spec.includeUsage) data.includeUsage = true;
  if (replyTo) data.replyTo = replyTo;
  if (spec.metadata) data.metadata = spec.metadata;
  if (spec.webhookUrl) data.webhookUrl = spec.webhookUrl;
  if (spec.webhookEvents) data.webhookEvents = spec.webhookEvents;
  if (spec.condense) data.condense = spec.condense;
  return data;
}

/** How long after its last live worker a provider still takes sync requests (a worker restart). */
const workerGapGraceMs = 15_000;

async function routeConditions(context: ApiContext, data: InferenceJobData): Promise<RouteCondition[]> {
  return Promise.all(
    data.routes.map(async (route): Promise<RouteCondition> => {
      let liveWorkers = context.backpressure.load(route.provider)?.workers;
      // Not sampled yet, or the sample may predate a worker that just started: ask before refusing anyone.
      if (!liveWorkers) liveWorkers = await context.queues.get(route.provider).getWorkersCount();
      const seenAt = context.backpressure.workerSeenAt(route.provider);
      const workerRecentlySeen = seenAt !== undefined && Date.now() - seenAt < workerGapGraceMs;
      const queueFull = context.backpressure.refusal(data, route.provider);
      const condition: RouteCondition = { liveWorkers, workerRecentlySeen, ...(queueFull ? { queueFull } : {}) };
      if (context.breakers.state(route) !== 'open') return condition;
      // The local view says open; the shared state says for how long (0: let a probe through).
      const snapshot = await context.breakers.snapshot(route);
      return { ...condition, openForMs: snapshot.state === 'open' ? (snapshot.retryAfterMs ?? 0) : 0 };
    }),
  );
}

export async function startRequest(context: ApiContext, spec: RequestSpec): Promise<StartedRequest> {
  const listens = (spec.waitMs ?? 0) > 0 || spec.onParts !== undefined;
  const built = jobDataOf(spec, listens ? context.replyBus.channel : undefined);
  const start = chooseStartRoute(built.routes, await routeConditions(context, built), {
    requestedModel: spec.requestedModel,
    needsLiveWorker: spec.mode === 'sync',
  });
  if ('error' in start) throw start.error;
  const data: InferenceJobData = start.skip > 0 ? { ...built, routes: built.routes.slice(start.skip), skippedRoutes: start.skip } : built;
  const firstProvider = data.routes[0]!.provider;

  const readState = () => readRequestStateOnRoutes(context.queues, data);
  const stopParts = spec.onParts ? context.replyBus.onStreamParts(data.requestId, spec.onParts) : () => {};
  const result =
    (spec.waitMs ?? 0) > 0
      ? context.replyBus.waitForResult(data.requestId, {
          timeoutMs: spec.waitMs!,
          recheck: async () => {
            const state = await readState();
            if (state) return replyFromState(state);
            // An answered sync job has left BullMQ: its finished record holds the reply.
            const record = await findFinishedJobRecord(context, data.orgId, data.requestId);
            return record ? replyFromJobRecord(record) : undefined;
          },
        })
      : undefined;
  const stopListening = () => {
    stopParts();
    result?.cancel();
  };

  const provider = context.config.providers[firstProvider]!;
  try {
    await withEnqueueSpan(data, (traced) =>
      context.queues
        .get(firstProvider)
        .add(inferenceJobName, traced, inferenceJobOptions(traced, { attempts: provider.attempts, retentionSeconds: context.config.jobs.retentionSeconds })),
    );
  } catch (error) {
    stopListening();
    context.logger.error({ err: error, requestId: data.requestId }, 'enqueue failed');
    throw new GatewayError('provider_unavailable', 'the gateway could not queue the request (queue store unreachable)', { retryAfterMs: 1000 });
  }
  // Async jobs are listed by GET /v1/jobs (Postgres) while they wait; sync ones need not be.
  if (data.mode !== 'sync') {
    await appendLedgerEntries(context.redis, context.config.redis.prefix, [{ type: 'job', record: jobRecordOf(data, undefined) }]).catch((error: unknown) =>
      context.logger.warn({ err: error, requestId: data.requestId }, 'could not record the queued job in the ledger'),
    );
  }
  return {
    data,
    readState,
    ...(result ? { result } : {}),
    stopListening,
    cancel: async () => {
      const state = await readState();
      return state ? cancelRequest(context, state) : false;
    },
  };
}
