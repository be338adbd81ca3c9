import { describe, expect, it } from 'vitest';
import { GatewayError, ProviderError } from '@switchyard/core';
import { decideOnFailure, retryDelayMs } from './decide-on-failure.ts';

const upstream500 = () => new ProviderError('upstream_error', 'boom', { provider: 'openai', upstreamStatus: 500, retryable: true });
const context = { attempt: 1, maxAttempts: 3, hasNextRoute: true, remainingMs: 60_000, random: () => 0.5 };

describe('decideOnFailure', () => {
  it('retries a retryable error while attempts remain', () => {
    expect(decideOnFailure(upstream500(), context)).toEqual({ action: 'retry', delayMs: 500 });
    expect(decideOnFailure(upstream500(), { ...context, attempt: 2 })).toEqual({ action: 'retry', delayMs: 1000 });
  });

  it('forwards to the next route when attempts are spent', () => {
    expect(decideOnFailure(upstream500(), { ...context, attempt: 3 })).toEqual({ action: 'forward' });
  });

  it('fails when the chain is exhausted', () => {
    expect(decideOnFailure(upstream500(), { ...context, attempt: 3, hasNextRoute: false })).toEqual({ action: 'fail' });
  });

  it('never retries or forwards an invalid request or a cancellation', () => {
    expect(decideOnFailure(new GatewayError('invalid_request', 'bad'), context)).toEqual({ action: 'fail' });
    expect(decideOnFailure(new GatewayError('cancelled', 'gone'), context)).toEqual({ action: 'fail' });
  });

  it('forwards at once on a non-retryable upstream error another provider could serve', () => {
    const unauthorized = new ProviderError('upstream_error', 'credentials', { provider: 'openai', upstreamStatus: 401, retryable: false });
    expect(decideOnFailure(unauthorized, context)).toEqual({ action: 'forward' });
  });

  it('honours retry-after and gives up on a retry that would overshoot the deadline', () => {
    const limited = new ProviderError('upstream_rate_limited', 'slow down', { provider: 'openai', upstreamStatus: 429, retryable: true, retryAfterMs: 2000 });
    expect(decideOnFailure(limited, context)).toEqual({ action: 'retry', delayMs: 2000 });
    expect(decideOnFailure(limited, { ...context, remainingMs: 1500 })).toEqual({ action: 'forward' });
  });

  it('keeps backoff exponential, jittered and capped', () => {
    expect(retryDelayMs(upstream500(), 1, () => 0)).toBe(250);
    expect(retryDelayMs(upstream500(), 1, () => 0.999)).toBe(750);
    expect(retryDelayMs(upstream500(), 20, () => 0.5)).toBe(30_000);
  });
});
