import { describe, expect, it } from 'vitest';
import { GatewayError, ProviderError } from '@switchyard/core';
import { decideOnFailure, retryDelayMs, type FailureDecision } from './decide-on-failure.ts';

const upstream500 = () => new ProviderError('upstream_error', 'boom', { provider: 'openai', upstreamStatus: 500, retryable: true });
const context = { attempt: 1, maxAttempts: 3, hasNextRoute: true, chainLength: 2, remainingMs: 60_000, requestedModel: 'gpt-4o', random: () => 0.5 };

/** The decision with the failing error reduced to its code, for compact expectations. */
const decide = (...args: Parameters<typeof decideOnFailure>) => {
  const decision: FailureDecision = decideOnFailure(...args);
  return decision.action === 'fail'
    ? { action: 'fail', status: decision.status, code: decision.error.code, retryAfterMs: decision.error.retryAfterMs }
    : decision;
};

describe('decideOnFailure', () => {
  it('retries a retryable error while attempts remain', () => {
    expect(decide(upstream500(), context)).toEqual({ action: 'retry', delayMs: 500 });
    expect(decide(upstream500(), { ...context, attempt: 2 })).toEqual({ action: 'retry', delayMs: 1000 });
  });

  it('forwards to the next route when attempts are spent', () => {
    expect(decide(upstream500(), { ...context, attempt: 3 })).toEqual({ action: 'forward' });
  });

  it('fails with 503 provider_unavailable when the chain of down providers is exhausted', () => {
    expect(decide(upstream500(), { ...context, attempt: 3, hasNextRoute: false })).toEqual({
      action: 'fail',
      status: 'failed',
      code: 'provider_unavailable',
      retryAfterMs: 1000,
    });
  });

  it('counts routes skipped before queueing: a one-route job of a longer chain is still an outage', () => {
    const lastRoute = { ...context, attempt: 3, hasNextRoute: false };
    expect(decide(upstream500(), { ...lastRoute, chainLength: 3 })).toMatchObject({ action: 'fail', code: 'provider_unavailable' });
    // A model with no fallback reports its own provider's error.
    expect(decide(upstream500(), { ...lastRoute, chainLength: 1 })).toMatchObject({ action: 'fail', code: 'upstream_error' });
  });

  it('never retries or forwards an invalid request or a cancellation', () => {
    expect(decide(new GatewayError('invalid_request', 'bad'), context)).toMatchObject({ action: 'fail', status: 'failed', code: 'invalid_request' });
    // Condensation (when on) already ran; the 400 stands as the provider gave it.
    expect(decide(new GatewayError('context_length_exceeded', 'long'), context)).toMatchObject({ action: 'fail', code: 'context_length_exceeded' });
    expect(decide(new GatewayError('cancelled', 'gone'), context)).toMatchObject({ action: 'fail', status: 'cancelled', code: 'cancelled' });
  });

  it('turns a retry into a cancellation when the client cancelled meanwhile', () => {
    expect(decide(upstream500(), { ...context, cancelRequested: true })).toMatchObject({ action: 'fail', status: 'cancelled', code: 'cancelled' });
  });

  it('forwards at once on a non-retryable upstream error another provider could serve', () => {
    const unauthorized = new ProviderError('upstream_error', 'credentials', { provider: 'openai', upstreamStatus: 401, retryable: false });
    expect(decide(unauthorized, context)).toEqual({ action: 'forward' });
  });

  it('pauses the provider on a 429 with retry-after, unless the pause would overshoot the deadline', () => {
    const limited = new ProviderError('upstream_rate_limited', 'slow down', { provider: 'openai', upstreamStatus: 429, retryable: true, retryAfterMs: 2000 });
    expect(decide(limited, context)).toEqual({ action: 'pause', pauseMs: 2000 });
    expect(decide(limited, { ...context, remainingMs: 1500 })).toEqual({ action: 'forward' });
  });

  it('honours retry-after on a retry', () => {
    const overloaded = new ProviderError('upstream_overloaded', 'busy', { provider: 'openai', upstreamStatus: 503, retryable: true, retryAfterMs: 2000 });
    expect(decide(overloaded, context)).toEqual({ action: 'retry', delayMs: 2000 });
    expect(decide(overloaded, { ...context, remainingMs: 1500 })).toEqual({ action: 'forward' });
  });

  it('skips an open circuit without retrying it in place', () => {
    const open = new GatewayError('provider_unavailable', 'circuit open', { retryable: true, retryAfterMs: 4000 });
    expect(decide(open, context)).toEqual({ action: 'forward' });
    expect(decide(open, { ...context, hasNextRoute: false })).toEqual({ action: 'fail', status: 'failed', code: 'provider_unavailable', retryAfterMs: 4000 });
  });

  it('ends a stream that already sent tokens with its own error, never forwarding it', () => {
    expect(decide(upstream500(), { ...context, streamStarted: true })).toMatchObject({ action: 'fail', status: 'failed', code: 'upstream_error' });
  });

  it('fails a job that ran out of time', () => {
    expect(decide(new GatewayError('timeout', 'late'), context)).toMatchObject({ action: 'fail', code: 'timeout' });
    expect(decide(new GatewayError('expired', 'never started'), context)).toMatchObject({ action: 'fail', status: 'expired', code: 'expired' });
  });

  it('keeps backoff exponential, jittered and capped', () => {
    expect(retryDelayMs(upstream500(), 1, () => 0)).toBe(250);
    expect(retryDelayMs(upstream500(), 1, () => 0.999)).toBe(750);
    expect(retryDelayMs(upstream500(), 20, () => 0.5)).toBe(30_000);
  });
});
