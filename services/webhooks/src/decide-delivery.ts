import type { AttemptResult } from './attempt-result.ts';
import { retryAfterMs } from './retry-after.ts';

/** What to do after an attempt: the attempt row's outcome and the delivery's next status. */
export type DeliveryDecision =
  | { outcome: 'delivered'; status: 'delivered' }
  | { outcome: 'failed'; status: 'retrying'; delayMs: number; error: string }
  | { outcome: 'failed' | 'refused'; status: 'failed'; error: string; disableEndpoint?: string };

export type DecisionContext = {
  /** This attempt's number within the delivery's current generation, from 1. */
  attempt: number;
  /** Delay before retry n is `scheduleSeconds[n - 1]`; past its end the delivery fails. */
  scheduleSeconds: readonly number[];
  /** An org endpoint (a 410 disables it); false for a job's or batch's own URL. */
  orgEndpoint: boolean;
  now: number;
  /** In [0, 1), for jitter. */
  random: () => number;
};

/** Delays under this get no jitter, so short schedules (tests, local setups) stay exact. */
const jitterFloorMs = 5000;

/**
 * The one delivery decision, pure. 2xx delivers. A refused destination fails at once (a
 * configuration problem no retry can fix: the operator fixes the allow list or the URL,
 * then retries by hand). A 410 from an org endpoint fails and disables the endpoint.
 * Anything else (other statuses, 3xx since redirects are never followed, timeouts,
 * connection errors) retries after the schedule's next delay (±10% jitter from 5 s up),
 * or after a 429's or 503's `Retry-After` (capped at a day), until the schedule is spent.
 */
export function decideDelivery(result: AttemptResult, context: DecisionContext): DeliveryDecision {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { outcome: 'delivered', status: 'delivered' };
  if (result.kind === 'refused') return { outcome: 'refused', status: 'failed', error: `destination refused: ${result.reason}` };
  const error = describeFailure(result);
  if (result.kind === 'response' && result.status === 410 && context.orgEndpoint) {
    return { outcome: 'failed', status: 'failed', error, disableEndpoint: 'the endpoint answered 410 Gone' };
  }
  const scheduled = context.scheduleSeconds[context.attempt - 1];
  if (scheduled === undefined) {
    return { outcome: 'failed', status: 'failed', error: `${error}; gave up after ${context.attempt} attempt${context.attempt === 1 ? '' : 's'}` };
  }
  const advised = result.kind === 'response' && (result.status === 429 || result.status === 503) ? retryAfterMs(result.retryAfter, context.now) : undefined;
  return { outcome: 'failed', status: 'retrying', delayMs: advised ?? withJitter(scheduled * 1000, context.random), error };
}

function withJitter(delayMs: number, random: () => number): number {
  if (delayMs < jitterFloorMs) return delayMs;
  return Math.max(0, Math.round(delayMs * (0.9 + 0.2 * random())));
}

function describeFailure(result: Exclude<AttemptResult, { kind: 'refused' }>): string {
  switch (result.kind) {
    case 'response':
      return result.status >= 300 && result.status < 400 ? `HTTP ${result.status} (redirects are not followed)` : `HTTP ${result.status}`;
    case 'timeout':
      return `no answer within ${result.timeoutMs} ms`;
    case 'error':
      return result.message;
  }
}
