import { Worker, type Job } from 'bullmq';
import type { RedisConnection } from '@switchyard/queue';
import {
  createTimedAbort,
  GatewayError,
  replyOf,
  toGatewayError,
  type FinishedOutcome,
  type InferenceJobData,
  type JobOutcome,
  type Route,
  type Usage,
} from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import type { ProviderAdapter } from '@switchyard/providers';
import {
  inferenceJobName,
  inferenceJobOptions,
  isCancelRequested,
  publishReply,
  repliesLocally,
  type CircuitBreakers,
  type InferenceQueues,
  type TokenBatchAppender,
} from '@switchyard/queue';
import { withEnqueueSpan } from '@switchyard/observability';
import { sendReplyAndRecords } from './reply-order.ts';
import { callRoute } from './call-route.ts';
import { callWithCondensation, type CondensationTracker } from './call-with-condensation.ts';
import { countsAgainstBreaker, decideOnFailure, type FailureDecision } from './decide-on-failure.ts';
import { withJobSpans, withReplySpan, withUpstreamSpan } from './job-spans.ts';
import type { FaultInjector } from './fault-injection.ts';
import { StreamInterruptedError, streamRoute } from './stream-route.ts';

export type ProcessorDependencies = {
  config: SwitchyardConfig;
  adapters: Map<string, ProviderAdapter>;
  /** Commands connection: replies and forwards. */
  redis: RedisConnection;
  /** Token-stream flushes of every stream this process relays share its pipelines. */
  appender: TokenBatchAppender;
  queues: InferenceQueues;
  breakers: CircuitBreakers;
  logger: Logger;
  /** Chaos rules applied before each upstream call (off unless enabled). */
  faults?: FaultInjector;
  /** Called once per finished attempt that reached a provider (the ledger's input). */
  onAttemptFinished?: (event: AttemptEvent) => Promise<void>;
  /**
   * Writes what a finished job leaves behind (its ledger entries). Issued right after the
   * job's reply, so both leave in one socket write with the reply first; the job returns
   * only once Redis has taken both.
   */
  onFinished?: (data: InferenceJobData, outcome: JobOutcome) => Promise<void>;
};

export type AttemptEvent = {
  data: InferenceJobData;
  attempt: number;
  status: 'completed' | 'failed' | 'cancelled';
  usage?: Usage;
  startedAt: number;
  finishedAt: number;
};

/** Thrown to make BullMQ retry the route after `delayMs` (read by the backoff strategy). */
export class RetryRouteError extends Error {
  readonly delayMs: number;
  constructor(cause: GatewayError, delayMs: number) {
    super(cause.message, { cause });
    this.name = 'RetryRouteError';
    this.delayMs = delayMs;
  }
}

/** Routes in the request's chain, counting those the api skipped as down before queueing it. */
export const chainLengthOf = (data: InferenceJobData): number => data.routes.length + (data.skippedRoutes ?? 0);

export function createInferenceProcessor(dependencies: ProcessorDependencies) {
  const { config, adapters, redis, queues, breakers, logger } = dependencies;
  const prefix = config.redis.prefix;

  /** Hands the request to the next route of its chain (deterministic job id: a duplicate cannot fork it). */
  const forward = async (data: InferenceJobData, error: GatewayError, attemptsSoFar: number, base: Partial<JobOutcome>): Promise<JobOutcome> => {
    const next = { ...data, routeIndex: data.routeIndex + 1, priorAttempts: attemptsSoFar };
    const nextRoute = data.routes[next.routeIndex]!;
    const provider = config.providers[nextRoute.provider];
    const forwarded = await withEnqueueSpan(next, (traced) =>
      queues
        .get(nextRoute.provider)
        .add(inferenceJobName, traced, inferenceJobOptions(traced, { attempts: provider?.attempts ?? 1, retentionSeconds: config.jobs.retentionSeconds })),
    );
    return { ...base, status: 'forwarded', forwardedTo: forwarded.id!, error: error.toBody(), attempts: attemptsSoFar, completedAt: Date.now() };
  };

  const finish = async (job: Job<InferenceJobData, JobOutcome>, outcome: FinishedOutcome): Promise<JobOutcome> => {
    const replyTo = job.data.replyTo;
    await sendReplyAndRecords({
      local: repliesLocally(replyTo),
      reply: () => (replyTo ? withReplySpan(() => publishReply(redis, prefix, replyTo, replyOf(job.data, job.id!, outcome))) : undefined),
      records: () => dependencies.onFinished?.(job.data, outcome),
    });
    return outcome;
  };

  return withJobSpans(async function processInferenceJob(
    job: Job<InferenceJobData, JobOutcome>,
    _token?: string,
    jobSignal?: AbortSignal,
  ): Promise<JobOutcome> {
    const data = job.data;
    const route: Route | undefined = data.routes[data.routeIndex];
    const startedAt = Date.now();
    const attempt = job.attemptsMade + 1;
    const priorAttempts = data.priorAttempts ?? 0;
    let totalAttempts = priorAttempts + attempt;
    const base = { provider: route?.provider, model: route?.model, startedAt };
    const ranBefore = priorAttempts > 0 || job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0;

    /** Carries out the one decision for this failure; `attemptsSpent` counts this attempt when it reached the provider. */
    const act = async (decision: FailureDecision, cause: GatewayError, attemptsSpent: number, usage?: Usage): Promise<JobOutcome> => {
      switch (decision.action) {
        case 'retry':
          throw new RetryRouteError(cause, decision.delayMs);
        case 'pause':
          // The provider said when to come back: pause its whole queue (every worker) that
          // long and put the job back without spending an attempt or a usage record.
          logger.warn({ requestId: data.requestId, provider: route?.provider, pauseMs: decision.pauseMs }, 'provider rate limited: pausing its queue');
          await queues.get(route!.provider).rateLimit(decision.pauseMs);
          throw Worker.RateLimitError();
        case 'forward':
          return forward(data, cause, attemptsSpent, base);
        case 'fail':
          return finish(job, {
            ...base,
            status: decision.status,
            error: decision.error.toBody(),
            ...(usage ? { usage } : {}),
            attempts: attemptsSpent,
            completedAt: Date.now(),
          });
      }
    };
    const decide = (error: GatewayError, extra: { streamStarted?: boolean; cancelRequested?: boolean } = {}) =>
      decideOnFailure(error, {
        attempt,
        maxAttempts: job.opts.attempts ?? 1,
        hasNextRoute: data.routeIndex + 1 < data.routes.length,
        chainLength: chainLengthOf(data),
        remainingMs: data.deadline - Date.now(),
        requestedModel: data.requestedModel,
        ...extra,
      });
    /** A route that could not be tried at all: nothing reached a provider, no attempt spent. */
    const cannotTry = (error: GatewayError) => act(decide(error), error, totalAttempts - 1);

    if (!route) return cannotTry(new GatewayError('internal_error', 'job has no route'));
    if (startedAt >= data.deadline) {
      // `expired` means nothing was spent; a job that already ran out of time failed.
      return cannotTry(
        ranBefore
          ? new GatewayError('timeout', `the job ran out of time after ${totalAttempts - 1} attempt(s)`)
          : new GatewayError('expired', 'the job expired before a worker could start it'),
      );
    }
    const adapter = adapters.get(route.provider);
    if (!adapter) return cannotTry(new GatewayError('provider_unavailable', `provider ${route.provider} is not enabled on this worker`));
    const permit = await breakers.acquire(route);
    if (!permit.allowed) {
      return cannotTry(
        new GatewayError('provider_unavailable', `${route.provider} is unavailable (circuit open)`, { retryAfterMs: permit.retryAfterMs, retryable: true }),
      );
    }

    // The job's own signal (cancel, shutdown) and the request's deadline; disposed when the attempt ends.
    const deadline = createTimedAbort(jobSignal, data.deadline - startedAt, () => new DOMException('the request deadline passed', 'TimeoutError'));
    const signal = deadline.signal;
    const modelOptions = config.models[route.model]?.options ?? {};
    const describeFailure = (caught: unknown): GatewayError => {
      if (deadline.timedOut && !jobSignal?.aborted) return new GatewayError('timeout', 'the request did not finish before its deadline');
      if (jobSignal?.aborted) return new GatewayError('cancelled', 'the request was cancelled');
      return toGatewayError(caught);
    };
    const attemptFinished = (status: AttemptEvent['status'], usage?: Usage) =>
      dependencies.onAttemptFinished?.({ data, attempt: totalAttempts, status, usage, startedAt, finishedAt: Date.now() });

    const failureOf = (caught: unknown) => (caught instanceof StreamInterruptedError ? caught.error : describeFailure(caught));
    // Condensation may spend attempts before the final call (a refused call, a summary): those come first.
    const condensation: CondensationTracker = { extraAttempts: 0 };
    const condensationDependencies = {
      config,
      adapters,
      redis,
      prefix,
      signal,
      firstAttempt: totalAttempts,
      onAttempt: async (event: Omit<AttemptEvent, 'status'> & { status: 'completed' | 'failed' }) => dependencies.onAttemptFinished?.(event),
    };

    try {
      const result = await withUpstreamSpan(route, totalAttempts, failureOf, () =>
        callWithCondensation(data, route, condensationDependencies, condensation, async (callData) => {
          // A drill's fault comes before every call that would reach the provider, a condensed retry's too.
          await dependencies.faults?.beforeCall(route, config.chaos, { signal, timeoutMs: config.providers[route.provider]?.timeoutMs ?? 0 });
          return callData.stream && callData.call.kind === 'chat'
            ? streamRoute(adapter, callData, route, {
                signal,
                modelOptions,
                redis,
                prefix,
                appender: dependencies.appender,
                mayHaveRunBefore: job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0,
                describeFailure,
              })
            : callRoute(adapter, callData, route, { signal, modelOptions });
        }),
      );
      totalAttempts += condensation.extraAttempts;
      await breakers.recordSuccess(route);
      await attemptFinished('completed', result.usage);
      const condensed = condensation.condensed ? { condensed: condensation.condensed } : {};
      return finish(job, {
        ...base,
        status: 'completed',
        output: result.output,
        usage: result.usage,
        ...condensed,
        attempts: totalAttempts,
        completedAt: Date.now(),
      });
    } catch (caught) {
      totalAttempts += condensation.extraAttempts;
      const interrupted = caught instanceof StreamInterruptedError ? caught : undefined;
      const error = failureOf(caught);
      if (error.code === 'internal_error')
        logger.error({ err: caught, requestId: data.requestId, provider: route.provider }, 'unexpected error calling provider');
      if (countsAgainstBreaker(error)) await breakers.recordFailure(route);
      // A cancel that reached the api while no worker held the job's abort signal.
      const cancelRequested = error.code !== 'cancelled' && error.retryable && (await isCancelRequested(redis, prefix, data.requestId));
      const decision = decide(error, { streamStarted: interrupted !== undefined, cancelRequested });
      // A retry (or a paused job's next run) numbers its attempts after those condensation spent.
      if (condensation.extraAttempts > 0 && (decision.action === 'retry' || decision.action === 'pause'))
        await job.updateData({ ...data, priorAttempts: priorAttempts + condensation.extraAttempts });
      if (decision.action !== 'pause')
        await attemptFinished(decision.action === 'fail' && decision.status === 'cancelled' ? 'cancelled' : 'failed', interrupted?.usage);
      logger.warn(
        { requestId: data.requestId, provider: route.provider, model: route.model, attempt: totalAttempts, code: error.code, decision: decision.action },
        interrupted ? 'stream interrupted' : 'provider call failed',
      );
      // Tokens that reached the client are billed: the interrupted attempt keeps its usage.
      return act(decision, error, totalAttempts, interrupted?.usage);
    } finally {
      deadline.dispose();
    }
  });
}
