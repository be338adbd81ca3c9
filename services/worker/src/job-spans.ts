// The worker's part of a request's trace. Each job continues the trace its carrier
// (`data.trace`) names: the api's `queue.enqueue` span, or the enqueue of the worker that
// forwarded it. Without a carrier (tracing off in the api) the job starts a trace of its own.
import type { Job } from 'bullmq';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { GatewayError, InferenceJobData, JobOutcome, Route } from '@switchyard/core';
import { contextFrom, jobAttributes, tracer, tracingOn, withSpan } from '@switchyard/observability';

type JobProcessor = (job: Job<InferenceJobData, JobOutcome>, token?: string, signal?: AbortSignal) => Promise<JobOutcome>;

/** Outcomes that mean the request failed here (a forward is the next route's business). */
const failedOutcomes: ReadonlySet<JobOutcome['status']> = new Set(['failed', 'expired']);

/**
 * `queue.wait` (from the job's enqueue to now, on its first run only: a retry's wait is the
 * gap between its `job.process` spans), then `job.process` (CONSUMER) around `process`.
 */
export function withJobSpans(process: JobProcessor): JobProcessor {
  return (job, token, signal) => {
    if (!tracingOn()) return process(job, token, signal);
    const parent = contextFrom(job.data.trace);
    const attributes = { ...jobAttributes(job.data), 'messaging.message.id': job.id ?? '' };
    if (job.attemptsMade === 0 && !job.stalledCounter)
      tracer()
        .startSpan('queue.wait', { startTime: new Date(job.timestamp), attributes }, parent)
        .end();
    const processAttributes = { ...attributes, 'messaging.operation.type': 'process', 'switchyard.job_attempt': job.attemptsMade + 1 };
    return withSpan('job.process', { kind: SpanKind.CONSUMER, parent, attributes: processAttributes }, async (span) => {
      const outcome = await process(job, token, signal);
      span.setAttributes({ 'switchyard.outcome': outcome.status, 'switchyard.attempts': outcome.attempts });
      if (outcome.error) span.setAttribute('error.type', outcome.error.code);
      if (failedOutcomes.has(outcome.status)) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error?.message ?? outcome.status });
      return outcome;
    });
  };
}

/** `upstream.call` (CLIENT): one attempt at the provider; a failure carries the error's code. */
export function withUpstreamSpan<T>(route: Route, attempt: number, describeFailure: (caught: unknown) => GatewayError, call: () => Promise<T>): Promise<T> {
  if (!tracingOn()) return call();
  const attributes = {
    'switchyard.provider': route.provider,
    'switchyard.model': route.model,
    'switchyard.upstream_model': route.upstreamModel,
    'switchyard.attempt': attempt,
  };
  return withSpan('upstream.call', { kind: SpanKind.CLIENT, attributes, describeError: describeFailure }, call);
}

/** `reply.publish`: the final result handed to the api process waiting on the request. */
export function withReplySpan<T>(publish: () => Promise<T>): Promise<T> {
  return withSpan('reply.publish', {}, publish);
}
