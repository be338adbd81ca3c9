// The span helpers every service shares: the job's W3C carrier in and out, and one way to
// run work inside a span. With tracing off they cost the API's no-ops: no carrier is made,
// and the spans started are non-recording.
import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import { GatewayError, ProviderError, type InferenceJobData } from '@switchyard/core';
import { tracingOn } from './tracing-state.ts';

/** The span work gets while tracing is off: non-recording, shared, free. */
const idleSpan: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Looked up at each use: a tracer kept across a restart of tracing (tests do that) stays bound to the provider it first saw. */
export const tracer = () => trace.getTracer('switchyard');

/** The active span's W3C carrier (`traceparent`, `tracestate`) for a job's `data.trace`; undefined when there is none. */
export function injectTraceContext(from: Context = context.active()): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier.traceparent ? carrier : undefined;
}

/**
 * The parent a carrier names, on an empty context: a job's spans hang under the span that
 * queued it, never under whatever async context the consumer happens to run in.
 */
export function contextFrom(carrier: Record<string, string> | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/**
 * Marks a span failed with the gateway's error code as `error.type` (and the provider's
 * HTTP status when it answered), never a stack trace. A wrapper's cause is looked through.
 */
function markFailed(span: Span, error: unknown): void {
  const cause = error instanceof Error && !(error instanceof GatewayError) && error.cause instanceof GatewayError ? error.cause : error;
  span.setAttribute('error.type', cause instanceof GatewayError ? cause.code : cause instanceof Error ? cause.name : 'Error');
  if (cause instanceof ProviderError && cause.upstreamStatus) span.setAttribute('http.response.status_code', cause.upstreamStatus);
  span.setStatus({ code: SpanStatusCode.ERROR, message: cause instanceof Error ? cause.message : String(cause) });
}

export type WithSpanOptions = SpanOptions & {
  /** Default: the active context. */
  parent?: Context;
  /** Names a thrown error for the span (an abort as the timeout or cancel it stands for). */
  describeError?: (error: unknown) => unknown;
};

/**
 * Runs `work` as the active span `name` and ends it when the work settles; a throw marks
 * the span failed and is rethrown.
 */
export function withSpan<T>(name: string, options: WithSpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  if (!tracingOn()) return work(idleSpan);
  const { parent, describeError, ...spanOptions } = options;
  return tracer().startActiveSpan(name, spanOptions, parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, describeError ? describeError(error) : error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** What names a job in every span about it. */
export function jobAttributes(data: InferenceJobData): Attributes {
  const route = data.routes[data.routeIndex];
  return {
    'switchyard.request_id': data.requestId,
    'switchyard.endpoint': data.endpoint,
    'switchyard.mode': data.mode,
    'switchyard.stream': data.stream,
    'switchyard.route_index': data.routeIndex,
    'switchyard.model.requested': data.requestedModel,
    ...(route ? { 'switchyard.provider': route.provider, 'switchyard.model': route.model, 'switchyard.upstream_model': route.upstreamModel } : {}),
    'messaging.system': 'bullmq',
  };
}

/**
 * `queue.enqueue` (PRODUCER): the job handed to `enqueue` carries this span's carrier in
 * `data.trace`, so the worker's spans continue the trace across the queue. Without
 * tracing the job goes out as it came, with no `trace`.
 */
export function withEnqueueSpan<T>(data: InferenceJobData, enqueue: (data: InferenceJobData) => Promise<T>): Promise<T> {
  if (!tracingOn()) return enqueue(data);
  return withSpan('queue.enqueue', { kind: SpanKind.PRODUCER, attributes: { ...jobAttributes(data), 'messaging.operation.type': 'send' } }, () => {
    const carrier = injectTraceContext();
    return enqueue(carrier ? { ...data, trace: carrier } : data);
  });
}
