import { Job } from 'bullmq';
import type { RedisConnection } from './connection.ts';
import {
  replyOf,
  routeJobId,
  type ErrorBody,
  type InferenceJobData,
  type JobOutcome,
  type JobRecord,
  type JobStatus,
  type ReplyMessage,
} from '@switchyard/core';
import type { InferenceQueues } from './inference-queues.ts';
import { answeredJobKey, cancelledJobKey } from './names.ts';

/** Where a request stands, read from Redis (its chain of route jobs, forwards followed). */
export type RequestState = {
  /** Data of the job serving the request now (the last route reached). */
  data: InferenceJobData;
  jobId: string;
  status: JobStatus;
  outcome?: JobOutcome;
  startedAt?: number;
  completedAt?: number;
  /** Attempts made on the current route so far (a finished outcome has the total). */
  attemptsMade: number;
};

/** A job that could not run: BullMQ failed it (crash loops, stalls) without our outcome. */
function failedOutcome(job: Job<InferenceJobData, JobOutcome>): JobOutcome {
  const error: ErrorBody = {
    code: 'internal_error',
    type: 'api_error',
    status: 500,
    message: job.failedReason ? `job failed: ${job.failedReason}` : 'job failed',
  };
  return { status: 'failed', error, attempts: job.attemptsMade, completedAt: job.finishedOn ?? Date.now() };
}

async function stateOfJob(queues: InferenceQueues, job: Job<InferenceJobData, JobOutcome>, depth: number): Promise<RequestState> {
  const base = { data: job.data, jobId: job.id!, attemptsMade: job.attemptsMade, startedAt: job.processedOn };
  if (job.finishedOn && job.returnvalue) {
    const outcome = job.returnvalue;
    if (outcome.status === 'forwarded' && outcome.forwardedTo && depth < 16) {
      const nextIndex = job.data.routeIndex + 1;
      const next = job.data.routes[nextIndex];
      if (next) {
        const nextJob = await Job.fromId<InferenceJobData, JobOutcome>(queues.get(next.provider), outcome.forwardedTo);
        if (nextJob) return stateOfJob(queues, nextJob, depth + 1);
      }
      // Forwarded but the next job is not visible yet: it is about to be queued.
      return { ...base, status: 'in_progress' };
    }
    if (outcome.status === 'forwarded') return { ...base, status: 'in_progress' };
    return { ...base, status: outcome.status, outcome, completedAt: outcome.completedAt };
  }
  if (job.finishedOn && job.failedReason !== undefined && job.failedReason !== '') {
    const outcome = failedOutcome(job);
    return { ...base, status: 'failed', outcome, completedAt: outcome.completedAt };
  }
  const started = job.processedOn !== undefined && job.processedOn > 0;
  return { ...base, status: started || job.data.routeIndex > 0 ? 'in_progress' : 'queued' };
}

/** Reads a request by id, knowing the provider of its first route. */
export async function readRequestState(queues: InferenceQueues, provider: string, requestId: string): Promise<RequestState | undefined> {
  const job = await Job.fromId<InferenceJobData, JobOutcome>(queues.get(provider), routeJobId(requestId, 0));
  return job ? stateOfJob(queues, job, 0) : undefined;
}

/**
 * Reads a request whose job data the caller holds (the api that enqueued it), route jobs
 * looked up directly: the latest route that has a job is where the request stands. A
 * sync job leaves Redis as it completes, a forwarded one too, so the chain from the first
 * route cannot be followed; undefined once every route's job is gone (answered: the
 * ledger's job record has it).
 */
export async function readRequestStateOnRoutes(queues: InferenceQueues, data: InferenceJobData): Promise<RequestState | undefined> {
  if (data.mode !== 'sync' || data.routes.length === 1) return readRequestState(queues, data.routes[0]!.provider, data.requestId);
  const jobs = await Promise.all(
    data.routes.map((route, index) => Job.fromId<InferenceJobData, JobOutcome>(queues.get(route.provider), routeJobId(data.requestId, index))),
  );
  for (let index = jobs.length - 1; index >= 0; index--) {
    const job = jobs[index];
    if (job) return stateOfJob(queues, job, 0);
  }
  return undefined;
}

/** Reads a request by id alone, looking in every provider's queue at once. */
export async function findRequestState(queues: InferenceQueues, providers: string[], requestId: string): Promise<RequestState | undefined> {
  const states = await Promise.all(providers.map((provider) => readRequestState(queues, provider, requestId)));
  return states.find((state) => state !== undefined);
}

/** The reply a waiter would have received, rebuilt from stored state (missed-message path). */
export function replyFromState(state: RequestState): ReplyMessage | undefined {
  const outcome = state.outcome;
  if (!outcome || outcome.status === 'forwarded') return undefined;
  return replyOf(state.data, state.jobId, { ...outcome, status: outcome.status });
}

/** The state a reply describes: the worker publishes before BullMQ records the job as done. */
export function stateFromReply(data: InferenceJobData, reply: ReplyMessage): RequestState {
  const outcome: JobOutcome = {
    status: reply.status,
    output: reply.output,
    error: reply.error,
    provider: reply.provider,
    model: reply.model,
    attempts: reply.attempts,
    usage: reply.usage,
    startedAt: reply.startedAt,
    completedAt: reply.completedAt ?? Date.now(),
  };
  return {
    data,
    jobId: reply.jobId,
    status: reply.status,
    outcome,
    startedAt: reply.startedAt,
    completedAt: outcome.completedAt,
    attemptsMade: reply.attempts,
  };
}

export type CancelledJob = { orgId: string; job: unknown };

/** Final job objects of requests cancelled before a worker took them. */
export async function saveCancelledJob(redis: RedisConnection, prefix: string, requestId: string, cancelled: CancelledJob, ttlSeconds: number): Promise<void> {
  await redis.set(cancelledJobKey(prefix, requestId), JSON.stringify(cancelled), 'EX', ttlSeconds);
}

export async function loadCancelledJob(redis: RedisConnection, prefix: string, requestId: string): Promise<CancelledJob | undefined> {
  const text = await redis.get(cancelledJobKey(prefix, requestId));
  return text ? (JSON.parse(text) as CancelledJob) : undefined;
}

/**
 * An answered sync request's job leaves BullMQ as it completes; its ledger record stays
 * here until the ledger has surely written it to Postgres, so `GET /v1/jobs/{id}` right
 * after the answer (the response names the job) and a missed-reply recheck find it.
 */
export const answeredJobTtlSeconds = 300;

export async function saveAnsweredJob(redis: RedisConnection, prefix: string, record: JobRecord): Promise<void> {
  await redis.set(answeredJobKey(prefix, record.id), JSON.stringify(record), 'EX', answeredJobTtlSeconds);
}

export async function loadAnsweredJob(redis: RedisConnection, prefix: string, requestId: string): Promise<JobRecord | undefined> {
  const text = await redis.get(answeredJobKey(prefix, requestId));
  return text ? (JSON.parse(text) as JobRecord) : undefined;
}
