import { describe, expect, it } from 'vitest';
import { providerBreakerState, tripsBreaker, windowCounts, windowPosition, type WindowSlot } from './circuit-breaker-decision.ts';

describe('tripsBreaker: the absolute threshold', () => {
  it('opens at failureThreshold failures, whatever the traffic', () => {
    expect(tripsBreaker({ calls: 4, failures: 4 }, { failureThreshold: 5 })).toBe(false);
    expect(tripsBreaker({ calls: 5, failures: 5 }, { failureThreshold: 5 })).toBe(true);
    expect(tripsBreaker({ calls: 10_000, failures: 5 }, { failureThreshold: 5 })).toBe(true);
  });

  it('defaults to 5 failures when neither trigger is configured', () => {
    expect(tripsBreaker({ calls: 4, failures: 4 }, {})).toBe(false);
    expect(tripsBreaker({ calls: 5, failures: 5 }, {})).toBe(true);
  });
});

describe('tripsBreaker: the failure ratio', () => {
  const ratio = { failureRatio: 0.5, minimumCalls: 20 };

  it('keeps a busy deployment with a few failures in many calls closed (no default absolute threshold)', () => {
    expect(tripsBreaker({ calls: 1000, failures: 40 }, ratio)).toBe(false);
    expect(tripsBreaker({ calls: 1000, failures: 499 }, ratio)).toBe(false);
  });

  it('opens a busy deployment once the ratio is reached', () => {
    expect(tripsBreaker({ calls: 1000, failures: 500 }, ratio)).toBe(true);
    expect(tripsBreaker({ calls: 20, failures: 10 }, ratio)).toBe(true);
  });

  it('does not open a quiet deployment below minimumCalls, even when every call failed', () => {
    expect(tripsBreaker({ calls: 19, failures: 19 }, ratio)).toBe(false);
    expect(tripsBreaker({ calls: 0, failures: 0 }, { failureRatio: 0.1, minimumCalls: 1 })).toBe(false);
  });

  it('needs 20 calls when minimumCalls is not set', () => {
    expect(tripsBreaker({ calls: 19, failures: 19 }, { failureRatio: 0.5 })).toBe(false);
    expect(tripsBreaker({ calls: 20, failures: 10 }, { failureRatio: 0.5 })).toBe(true);
  });

  it('still honours an explicit failureThreshold beside the ratio: either opens it', () => {
    const both = { failureRatio: 0.5, minimumCalls: 20, failureThreshold: 100 };
    expect(tripsBreaker({ calls: 10_000, failures: 99 }, both)).toBe(false);
    expect(tripsBreaker({ calls: 10_000, failures: 100 }, both)).toBe(true);
    expect(tripsBreaker({ calls: 40, failures: 20 }, both)).toBe(true);
  });
});

describe('the sliding window', () => {
  const windowMs = 10_000; // ten buckets of one second

  it('places a call in the bucket of its time, and the bucket in a ring slot', () => {
    expect(windowPosition(1_000_000, windowMs)).toEqual({ bucket: 1000, slot: 0 });
    expect(windowPosition(1_003_999, windowMs)).toEqual({ bucket: 1003, slot: 3 });
  });

  it('counts the last ten buckets and forgets older ones a bucket at a time', () => {
    const slots: WindowSlot[] = [
      { bucket: 1000, calls: 10, failures: 4 },
      { bucket: 1005, calls: 6, failures: 1 },
      { bucket: 1009, calls: 2, failures: 2 },
    ];
    expect(windowCounts(slots, 1_009_500, windowMs)).toEqual({ calls: 18, failures: 7 });
    // One bucket later the oldest one has left the window, the rest still count.
    expect(windowCounts(slots, 1_010_000, windowMs)).toEqual({ calls: 8, failures: 3 });
    expect(windowCounts(slots, 1_019_999, windowMs)).toEqual({ calls: 0, failures: 0 });
  });

  it('ignores a slot written by a clock ahead of this one', () => {
    expect(windowCounts([{ bucket: 1001, calls: 3, failures: 3 }], 1_000_500, windowMs)).toEqual({ calls: 0, failures: 0 });
  });
});

describe('providerBreakerState', () => {
  it('is as available as the most available deployment: open only when all are open', () => {
    expect(providerBreakerState([])).toBe('closed');
    expect(providerBreakerState(['open', 'closed'])).toBe('closed');
    expect(providerBreakerState(['open', 'half_open'])).toBe('half_open');
    expect(providerBreakerState(['open', 'open'])).toBe('open');
  });
});
