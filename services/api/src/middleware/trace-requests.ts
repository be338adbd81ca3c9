import type { NextFunction, Request, Response } from 'express';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { tracer, tracingOn } from '@switchyard/observability';

/** Routing headers the answer already carries, kept on the span: who served the request. */
const servedBy = [
  ['x-switchyard-provider', 'switchyard.provider'],
  ['x-switchyard-model', 'switchyard.model'],
] as const;

/**
 * A SERVER span per API request, the root of the request's trace (or the child of the
 * caller's, when it sends `traceparent`). It is the active span while the request is
 * handled, so `queue.enqueue` and `reply.wait` hang under it. Named `POST /v1/chat/completions`
 * once the route is known. With tracing off the span is the API's no-op and nothing waits
 * for the response.
 */
export function traceRequests(request: Request, response: Response, next: NextFunction): void {
  if (!tracingOn()) {
    next();
    return;
  }
  const parent = propagation.extract(context.active(), request.headers);
  const span = tracer().startSpan(
    request.method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': request.method,
        'url.path': request.originalUrl.split('?')[0],
        'switchyard.request_id': String(response.locals.requestId ?? ''),
      },
    },
    parent,
  );
  if (span.isRecording()) response.once('close', () => endServerSpan(span, request, response));
  context.with(trace.setSpan(parent, span), next);
}

function endServerSpan(span: Span, request: Request, response: Response): void {
  // The matched pattern, never the raw path (ids in it would make every name unique).
  if (request.route?.path) {
    const route = `${request.baseUrl}${request.route.path}`;
    span.updateName(`${request.method} ${route}`);
    span.setAttribute('http.route', route);
  }
  span.setAttribute('http.response.status_code', response.statusCode);
  for (const [header, attribute] of servedBy) {
    const value = response.getHeader(header);
    if (typeof value === 'string') span.setAttribute(attribute, value);
  }
  if (!response.writableFinished) span.setAttribute('switchyard.client_gone', true);
  if (response.statusCode >= 500) {
    span.setAttribute('error.type', String(response.statusCode));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
