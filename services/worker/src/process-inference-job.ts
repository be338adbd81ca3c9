import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  GatewayError,
  toGatewayError,
  type ErrorBody,
  type InferenceJobData,
  type JobOutcome,
  type ReplyMessage,
  type Usage,
} from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import type { ProviderAdapter } from '@switchyard/providers';
import {
  inferenceJobName,
  inferenceJobOptions,
  publishToReplyChannel,
  type CircuitBreakers,
  type InferenceQueues,
} from '@switchyard/queue';
import { callRoute } from './call-route.ts';
import { countsAgainstBreaker, decideOnFailure, rateLimitPauseMs } from './decide-on-failure.ts';
import { StreamInterruptedError, streamRoute } from './stream-route.ts';

export type ProcessorDependencies = {
  config: SwitchyardConfig;
  adapters: Map<string, ProviderAdapter>;
  /** Commands connection: replies and forwards. */
  redis: Redis;
  queues: InferenceQueues;
  breakers: CircuitBreakers;
  logger: Logger;
  /** Called once per finished attempt that reached a provider (the ledger's input). */
  onAttemptFinished?: (event: AttemptEvent) => Promise<void>;
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

export function createInferenceProcessor(dependencies: ProcessorDependencies) {
  const { config, adapters, redis, queues, breakers, logger } = dependencies;

  /** Hands the request to the next route of its chain (deterministic job id: a duplicate cannot fork it). */
  const forward = async (data: InferenceJobData, error: GatewayError, attemptsSoFar: number, base: Partial<JobOutcome>): Promise<JobOutcome> => {
    const next = { ...data, routeIndex: data.routeIndex + 1, priorAttempts: attemptsSoFar };
    const nextRoute = data.routes[next.routeIndex]!;
    const provider = config.providers[nextRoute.provider];
    const forwarded = await queues
      .get(nextRoute.provider)
      .add(inferenceJobName, next, inferenceJobOptions(next, { attempts: provider?.attempts ?? 1, retentionSeconds: config.jobs.retentionSeconds }));
    return { ...base, status: 'forwarded', forwardedTo: forwarded.id!, error: error.toBody(), attempts: attemptsSoFar, completedAt: Date.now() };
  };

  /** A chain that ran out: the client hears that no provider could serve it. */
  const chainExhausted = (data: InferenceJobData, error: GatewayError): GatewayError =>
    data.routes.length > 1 && (countsAgainstBreaker(error) || error.code === 'upstream_rate_limited' || error.code === 'provider_unavailable')
      ? new GatewayError('provider_unavailable', `every provider that can serve \`${data.requestedModel}\` failed; last error: ${error.message}`, { retryAfterMs: error.retryAfterMs ?? 1000 })
      : error;

  const reply = async (data: InferenceJobData, jobId: string, outcome: JobOutcome) => {
    if (!data.replyTo || outcome.status === 'forwarded') return;
    const message: ReplyMessage = {
      kind: 'result',
      requestId: data.requestId,
      jobId,
      status: outcome.status,
      output: outcome.output,
      error: outcome.error,
      provider: outcome.provider,
      model: outcome.model,
      attempts: outcome.attempts,
      queueMs: outcome.startedAt !== undefined ? outcome.startedAt - data.createdAt : undefined,
      usage: outcome.usage,
      startedAt: outcome.startedAt,
      completedAt: outcome.completedAt,
    };
    await publishToReplyChannel(redis, data.replyTo, message);
  };

  const finish = async (job: Job<InferenceJobData, JobOutcome>, outcome: JobOutcome): Promise<JobOutcome> => {
    await reply(job.data, job.id!, outcome);
    return outcome;
  };

  return async function processInferenceJob(
    job: Job<InferenceJobData, JobOutcome>,
    _token?: string,
    jobSignal?: AbortSignal,
  ): Promise<JobOutcome> {
    const data = job.data;
    const route = data.routes[data.routeIndex];
    const startedAt = Date.now();
    const attempt = job.attemptsMade + 1;
    const totalAttempts = (data.priorAttempts ?? 0) + attempt;
    const base = { provider: route?.provider, model: route?.model, startedAt };

    if (!route) {
      const error = new GatewayError('internal_error', 'job has no route').toBody();
      return finish(job, { status: 'failed', error, attempts: totalAttempts - 1, completedAt: startedAt });
    }
    if (startedAt >= data.deadline) {
      const error = new GatewayError('expired', 'the job expired before a worker could start it').toBody();
      return finish(job, { ...base, status: 'expired', error, attempts: totalAttempts - 1, completedAt: startedAt });
    }
    const adapter = adapters.get(route.provider);
    if (!adapter) {
      const error = new GatewayError('provider_unavailable', `provider ${route.provider} is not enabled on this worker`).toBody();
      return finish(job, { ...base, status: 'failed', error, attempts: totalAttempts - 1, completedAt: startedAt });
    }

    const hasNextRoute = data.routeIndex + 1 < data.routes.length;
    const permit = await breakers.acquire(route);
    if (!permit.allowed) {
      // Open circuit: skip this route without touching the provider or spending an attempt.
      const error = new GatewayError('provider_unavailable', `${route.provider} is unavailable (circuit open)`, { retryAfterMs: permit.retryAfterMs, retryable: true });
      if (hasNextRoute) return forward(data, error, totalAttempts - 1, base);
      return finish(job, { ...base, status: 'failed', error: chainExhausted(data, error).toBody(), attempts: totalAttempts - 1, completedAt: startedAt });
    }

    const deadlineSignal = AbortSignal.timeout(data.deadline - startedAt);
    const signal = jobSignal ? AbortSignal.any([jobSignal, deadlineSignal]) : deadlineSignal;
    const modelOptions = config.models[route.model]?.options ?? {};
    const describeFailure = (caught: unknown): GatewayError => {
      if (deadlineSignal.aborted && !jobSignal?.aborted) return new GatewayError('timeout', 'the request did not finish before its deadline');
      if (jobSignal?.aborted) return new GatewayError('cancelled', 'the request was cancelled');
      return toGatewayError(caught);
    };

    try {
      const result =
        data.stream && data.call.kind === 'chat'
          ? await streamRoute(adapter, data, route, {
              signal,
              modelOptions,
              redis,
              prefix: config.redis.prefix,
              mayHaveRunBefore: job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0,
              describeFailure,
            })
          : await callRoute(adapter, data, route, { signal, modelOptions });
      const completedAt = Date.now();
      await breakers.recordSuccess(route);
      await dependencies.onAttemptFinished?.({ data, attempt: totalAttempts, status: 'completed', usage: result.usage, startedAt, finishedAt: completedAt });
      return finish(job, { ...base, status: 'completed', output: result.output, usage: result.usage, attempts: totalAttempts, completedAt });
    } catch (caught) {
      if (caught instanceof StreamInterruptedError) {
        // Tokens already reached the client: no retry, no fallback, and what was produced is billed.
        const finishedAt = Date.now();
        const status = caught.error.code === 'cancelled' ? 'cancelled' : 'failed';
        if (countsAgainstBreaker(caught.error)) await breakers.recordFailure(route);
        await dependencies.onAttemptFinished?.({ data, attempt: totalAttempts, status, usage: caught.usage, startedAt, finishedAt });
        logger.warn({ requestId: data.requestId, provider: route.provider, model: route.model, attempt: totalAttempts, code: caught.error.code }, 'stream interrupted');
        return finish(job, { ...base, status, error: caught.error.toBody(), usage: caught.usage, attempts: totalAttempts, completedAt: finishedAt });
      }
      const error = describeFailure(caught);
      if (error.code === 'internal_error') logger.error({ err: caught, requestId: data.requestId, provider: route.provider }, 'unexpected error calling provider');
      const finishedAt = Date.now();
      if (countsAgainstBreaker(error)) await breakers.recordFailure(route);
      const pauseMs = rateLimitPauseMs(error, data.deadline - finishedAt);
      if (pauseMs !== undefined) {
        // The provider said when to come back: pause its whole queue (every worker) that
        // long and put the job back without spending an attempt or a usage record.
        logger.warn({ requestId: data.requestId, provider: route.provider, pauseMs }, 'provider rate limited: pausing its queue');
        await queues.get(route.provider).rateLimit(pauseMs);
        throw Worker.RateLimitError();
      }
      const attemptStatus = error.code === 'cancelled' ? 'cancelled' : 'failed';
      await dependencies.onAttemptFinished?.({ data, attempt: totalAttempts, status: attemptStatus, startedAt, finishedAt });

      const decision = decideOnFailure(error, {
        attempt,
        maxAttempts: job.opts.attempts ?? 1,
        hasNextRoute,
        remainingMs: data.deadline - finishedAt,
      });
      logger.warn(
        { requestId: data.requestId, provider: route.provider, model: route.model, attempt: totalAttempts, code: error.code, decision: decision.action },
        'provider call failed',
      );
      switch (decision.action) {
        case 'retry':
          throw new RetryRouteError(error, decision.delayMs);
        case 'forward':
          return forward(data, error, totalAttempts, base);
        case 'fail': {
          const status = error.code === 'cancelled' ? 'cancelled' : 'failed';
          const body: ErrorBody = (status === 'failed' ? chainExhausted(data, error) : error).toBody();
          return finish(job, { ...base, status, error: body, attempts: totalAttempts, completedAt: finishedAt });
        }
      }
    }
  };
}
