// When a crashed worker thread of `all` is started again, and when `all` gives up: pure, so
// the supervision (worker-thread-pool.ts) only keeps the crash times and acts on the answer.

export type CrashPolicy = {
  /** The first restart waits this long; each crash still in the window doubles it... */
  firstDelayMs: number;
  /** ...up to this. */
  maxDelayMs: number;
  /** More crashes than this within `windowMs` stop `all`. */
  maxCrashes: number;
  windowMs: number;
};

export const defaultCrashPolicy: CrashPolicy = { firstDelayMs: 500, maxDelayMs: 10_000, maxCrashes: 5, windowMs: 60_000 };

export type CrashDecision = { action: 'restart'; delayMs: number; recentCrashes: number[] } | { action: 'give-up'; recentCrashes: number[] };

/**
 * After a crash at `now`, given the thread's earlier crash times: the crashes still in the
 * window (to keep for the next decision), and either a restart after a backoff that doubles
 * with each of them, or giving up when there are more than the policy allows.
 */
export function decideAfterCrash(earlierCrashes: readonly number[], now: number, policy: CrashPolicy = defaultCrashPolicy): CrashDecision {
  const recentCrashes = [...earlierCrashes.filter((at) => now - at < policy.windowMs), now];
  if (recentCrashes.length > policy.maxCrashes) return { action: 'give-up', recentCrashes };
  const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (recentCrashes.length - 1));
  return { action: 'restart', delayMs, recentCrashes };
}
