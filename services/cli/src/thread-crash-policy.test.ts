import { describe, expect, it } from 'vitest';
import { decideAfterCrash, defaultCrashPolicy } from './thread-crash-policy.ts';

describe('decideAfterCrash', () => {
  it('restarts after 0.5 s, doubling with each crash still in the window', () => {
    const delays: number[] = [];
    let crashes: number[] = [];
    for (const at of [0, 1000, 2000, 3000, 4000]) {
      const decision = decideAfterCrash(crashes, at);
      if (decision.action !== 'restart') throw new Error(`gave up at ${at}`);
      delays.push(decision.delayMs);
      crashes = decision.recentCrashes;
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('gives up on the sixth crash within 60 s, naming the crashes it counted', () => {
    const decision = decideAfterCrash([0, 10_000, 20_000, 30_000, 40_000], 59_999);
    expect(decision).toEqual({ action: 'give-up', recentCrashes: [0, 10_000, 20_000, 30_000, 40_000, 59_999] });
  });

  it('forgets crashes older than the window: the backoff starts over', () => {
    const decision = decideAfterCrash([0, 10_000, 20_000, 30_000, 40_000], 100_000);
    expect(decision).toEqual({ action: 'restart', delayMs: 500, recentCrashes: [100_000] });
    expect(decideAfterCrash([0, 30_000], 60_000)).toEqual({ action: 'restart', delayMs: 1000, recentCrashes: [30_000, 60_000] });
  });

  it('never waits longer than the cap', () => {
    const policy = { ...defaultCrashPolicy, maxCrashes: 20 };
    const decision = decideAfterCrash(
      Array.from({ length: 10 }, (_, index) => index),
      10,
      policy,
    );
    expect(decision).toMatchObject({ action: 'restart', delayMs: 10_000 });
  });
});
