import type { GatewayError } from '@switchyard/core';

export type FailureDecision =
  | { action: 'retry'; delayMs: number }
  | { action: 'forward' }
  | { action: 'fail' };

export type FailureContext = {
  /** 1-based attempt number on this route. */
  attempt: number;
  maxAttempts: number;
  hasNextRoute: boolean;
  /** Milliseconds left before the job's deadline. */
  remainingMs: number;
  /** Deterministic jitter source for tests; defaults to Math.random. */
  random?: () => number;
};

const baseDelayMs = 500;
const maxDelayMs = 30_000;

/** Exponential backoff with full jitter around the base, or the provider's retry-after. */
export function retryDelayMs(error: GatewayError, attempt: number, random: () => number = Math.random): number {
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, 10 * 60_000);
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.5 + random()));
}

/**
 * The one place that maps an error to queue behaviour: retry this route, forward to the
 * next route of the chain, or fail the request.
 */
export function decideOnFailure(error: GatewayError, context: FailureContext): FailureDecision {
  switch (error.code) {
    case 'cancelled':
    case 'expired':
    case 'invalid_request':
    case 'invalid_json':
    case 'unsupported_parameter':
      // Another provider would reject the same request, and a cancelled one is done.
      return { action: 'fail' };
    default:
      break;
  }
  if (error.retryable && context.attempt < context.maxAttempts) {
    const delayMs = retryDelayMs(error, context.attempt, context.random);
    if (delayMs < context.remainingMs) return { action: 'retry', delayMs };
  }
  if (context.hasNextRoute && context.remainingMs > 0) return { action: 'forward' };
  return { action: 'fail' };
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
export function rateLimitPauseMs(error: GatewayError, remainingMs: number): number | undefined {
  if (error.code !== 'upstream_rate_limited' || error.retryAfterMs === undefined) return undefined;
  const pauseMs = Math.min(error.retryAfterMs, 60_000);
  return pauseMs < remainingMs ? pauseMs : undefined;
}
