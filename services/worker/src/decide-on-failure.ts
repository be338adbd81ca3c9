import { GatewayError } from '@switchyard/core';

export type FailureDecision =
  /** Try this route again after `delayMs` (spends an attempt). */
  | { action: 'retry'; delayMs: number }
  /** The provider said when to come back: pause its queue, put the job back, spend nothing. */
  | { action: 'pause'; pauseMs: number }
  /** Hand the request to the next route of its chain. */
  | { action: 'forward' }
  /** The request ends here, with this status and the error its caller hears. */
  | { action: 'fail'; status: 'failed' | 'cancelled' | 'expired'; error: GatewayError };

export type FailureContext = {
  /** 1-based attempt number on this route. */
  attempt: number;
  maxAttempts: number;
  hasNextRoute: boolean;
  /** Routes in the request's chain, those skipped before it was queued included. */
  chainLength: number;
  /** Milliseconds left before the job's deadline. */
  remainingMs: number;
  /** The model the client asked for, named when the whole chain is down. */
  requestedModel: string;
  /** Tokens of this attempt already reached the client: neither retried nor forwarded. */
  streamStarted?: boolean;
  /** The client cancelled while this attempt ran (its abort did not reach the call). */
  cancelRequested?: boolean;
  /** Deterministic jitter source for tests; defaults to Math.random. */
  random?: () => number;
};

const baseDelayMs = 500;
const maxDelayMs = 30_000;
const maxPauseMs = 60_000;

/** Exponential backoff with full jitter around the base, or the provider's retry-after. */
export function retryDelayMs(error: GatewayError, attempt: number, random: () => number = Math.random): number {
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, 10 * 60_000);
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.5 + random()));
}

/**
 * The one place that maps a failed attempt (or a route that cannot be tried) to queue
 * behaviour: retry this route, pause the provider, forward to the next route, or fail the
 * request with the error its caller hears.
 */
export function decideOnFailure(error: GatewayError, context: FailureContext): FailureDecision {
  const fail = (failure: GatewayError): FailureDecision => ({
    action: 'fail',
    status: failure.code === 'cancelled' || failure.code === 'expired' ? failure.code : 'failed',
    error: failure,
  });
  if (error.code === 'cancelled' || context.cancelRequested)
    return fail(error.code === 'cancelled' ? error : new GatewayError('cancelled', 'the request was cancelled'));
  // A stream that already sent tokens is not switched to another model, nor started over.
  if (context.streamStarted) return fail(error);
  switch (error.code) {
    case 'expired':
    case 'timeout':
    case 'invalid_request':
    case 'context_length_exceeded':
    case 'invalid_json':
    case 'unsupported_parameter':
      // Out of time, or another provider would reject the same request.
      return fail(error);
    case 'provider_unavailable':
      // This route cannot be tried now (circuit open, no adapter): never retried in place.
      return context.hasNextRoute && context.remainingMs > 0 ? { action: 'forward' } : fail(chainExhausted(error, context));
    default:
      break;
  }
  const pauseMs = rateLimitPauseMs(error, context.remainingMs);
  if (pauseMs !== undefined) return { action: 'pause', pauseMs };
  if (error.retryable && context.attempt < context.maxAttempts) {
    const delayMs = retryDelayMs(error, context.attempt, context.random);
    if (delayMs < context.remainingMs) return { action: 'retry', delayMs };
  }
  if (context.hasNextRoute && context.remainingMs > 0) return { action: 'forward' };
  return fail(chainExhausted(error, context));
}

/**
 * A chain that ran out because its providers are down (or refuse more traffic) is an
 * outage: 503 provider_unavailable with Retry-After, however many routes were skipped.
 * A single route's own error is reported as it is.
 */
function chainExhausted(error: GatewayError, context: FailureContext): GatewayError {
  const outage = countsAgainstBreaker(error) || error.code === 'upstream_rate_limited' || error.code === 'provider_unavailable';
  if (!outage || context.chainLength <= 1) return error;
  return new GatewayError('provider_unavailable', `every provider that can serve \`${context.requestedModel}\` is unavailable; last error: ${error.message}`, {
    retryAfterMs: Math.max(1000, error.retryAfterMs ?? 1000),
  });
}

/** Failures that say the provider itself is unwell, as opposed to the request or the client. */
export function countsAgainstBreaker(error: GatewayError): boolean {
  switch (error.code) {
    case 'upstream_error':
    case 'upstream_overloaded':
    case 'upstream_timeout':
    case 'upstream_unreachable':
      return true;
    default:
      return false;
  }
}

/** A 429 with advice: pause the provider's queue that long instead of spending an attempt. */
function rateLimitPauseMs(error: GatewayError, remainingMs: number): number | undefined {
  if (error.code !== 'upstream_rate_limited' || error.retryAfterMs === undefined) return undefined;
  const pauseMs = Math.min(error.retryAfterMs, maxPauseMs);
  return pauseMs < remainingMs ? pauseMs : undefined;
}
