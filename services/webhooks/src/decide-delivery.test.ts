import { describe, expect, it } from 'vitest';
import { decideDelivery, type DecisionContext } from './decide-delivery.ts';

const context = (overrides: Partial<DecisionContext> = {}): DecisionContext => ({
  attempt: 1,
  scheduleSeconds: [1, 300, 1800],
  orgEndpoint: true,
  now: Date.UTC(2026, 0, 1),
  random: () => 0.5,
  ...overrides,
});

describe('decideDelivery', () => {
  it('delivers on any 2xx', () => {
    for (const status of [200, 201, 204, 299])
      expect(decideDelivery({ kind: 'response', status }, context())).toEqual({ outcome: 'delivered', status: 'delivered' });
  });

  it('retries other statuses, timeouts and connection errors after the scheduled delay', () => {
    expect(decideDelivery({ kind: 'response', status: 500 }, context())).toEqual({ outcome: 'failed', status: 'retrying', delayMs: 1000, error: 'HTTP 500' });
    expect(decideDelivery({ kind: 'timeout', timeoutMs: 15_000 }, context({ attempt: 2 }))).toMatchObject({
      status: 'retrying',
      error: 'no answer within 15000 ms',
    });
    expect(decideDelivery({ kind: 'error', message: 'ECONNREFUSED' }, context({ attempt: 3 }))).toMatchObject({ status: 'retrying', error: 'ECONNREFUSED' });
  });

  it('does not follow redirects: a 3xx is a failure that is retried', () => {
    expect(decideDelivery({ kind: 'response', status: 302 }, context())).toMatchObject({ status: 'retrying', error: 'HTTP 302 (redirects are not followed)' });
  });

  it('gives up once the schedule is spent', () => {
    expect(decideDelivery({ kind: 'response', status: 500 }, context({ attempt: 4 }))).toEqual({
      outcome: 'failed',
      status: 'failed',
      error: 'HTTP 500; gave up after 4 attempts',
    });
    expect(decideDelivery({ kind: 'response', status: 500 }, context({ scheduleSeconds: [] }))).toMatchObject({
      status: 'failed',
      error: 'HTTP 500; gave up after 1 attempt',
    });
  });

  it('jitters delays of 5 s and more by at most 10%, and never shorter delays', () => {
    expect(decideDelivery({ kind: 'response', status: 500 }, context({ random: () => 0 }))).toMatchObject({ delayMs: 1000 });
    expect(decideDelivery({ kind: 'response', status: 500 }, context({ attempt: 2, random: () => 0 }))).toMatchObject({ delayMs: 270_000 });
    expect(decideDelivery({ kind: 'response', status: 500 }, context({ attempt: 2, random: () => 0.999_999 }))).toMatchObject({ delayMs: 330_000 });
  });

  it("waits a 429's or 503's Retry-After instead of the schedule, capped at a day", () => {
    expect(decideDelivery({ kind: 'response', status: 429, retryAfter: '7' }, context())).toMatchObject({ status: 'retrying', delayMs: 7000 });
    const inAMinute = new Date(context().now + 60_000).toUTCString();
    expect(decideDelivery({ kind: 'response', status: 503, retryAfter: inAMinute }, context())).toMatchObject({ delayMs: 60_000 });
    expect(decideDelivery({ kind: 'response', status: 503, retryAfter: String(7 * 86_400) }, context())).toMatchObject({ delayMs: 86_400_000 });
    // Unreadable advice, or advice on another status: the schedule decides.
    expect(decideDelivery({ kind: 'response', status: 429, retryAfter: 'soon' }, context())).toMatchObject({ delayMs: 1000 });
    expect(decideDelivery({ kind: 'response', status: 500, retryAfter: '7' }, context())).toMatchObject({ delayMs: 1000 });
    // The advice does not add attempts.
    expect(decideDelivery({ kind: 'response', status: 429, retryAfter: '7' }, context({ attempt: 4 }))).toMatchObject({ status: 'failed' });
  });

  it('disables an org endpoint on 410; a job URL answering 410 is an ordinary failure', () => {
    expect(decideDelivery({ kind: 'response', status: 410 }, context())).toEqual({
      outcome: 'failed',
      status: 'failed',
      error: 'HTTP 410',
      disableEndpoint: 'the endpoint answered 410 Gone',
    });
    expect(decideDelivery({ kind: 'response', status: 410 }, context({ orgEndpoint: false }))).toMatchObject({ status: 'retrying', error: 'HTTP 410' });
  });

  it('fails a refused destination at once, without retries', () => {
    expect(decideDelivery({ kind: 'refused', reason: 'a loopback address' }, context())).toEqual({
      outcome: 'refused',
      status: 'failed',
      error: 'destination refused: a loopback address',
    });
  });
});
