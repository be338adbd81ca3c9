// The bookkeeping of a closed loop at fixed concurrency: `concurrency` loops each start the
// next operation when one finishes; only what finishes inside the measured window counts.
import { performance } from 'node:perf_hooks';

export type LoopOutcome = {
  windowMs: number;
  /** Operations that finished inside the window without error. */
  completed: number;
  failed: number;
  /** The first few failures, to say what went wrong. */
  failures: string[];
  latencyMs: number[];
};

/** What an operation asks to record of itself besides its latency, given when it started. */
export type OperationRecord = (startedAt: number) => void;

export type ClosedLoopOptions = {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
  /**
   * One operation; throwing counts as a failure. It may return what else to record of it,
   * called (with when it started) only when it finished inside the window.
   */
  operation(): Promise<OperationRecord | undefined>;
  /** Clock, for tests (performance.now by default). */
  now?: () => number;
};

export async function runClosedLoop(options: ClosedLoopOptions): Promise<LoopOutcome> {
  const now = options.now ?? (() => performance.now());
  const outcome: LoopOutcome = { windowMs: options.durationMs, completed: 0, failed: 0, failures: [], latencyMs: [] };
  const windowStart = now() + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  let stopped = false;
  const startTimer = setTimeout(() => options.onWindowStart?.(), options.warmupMs);
  const endTimer = setTimeout(() => {
    options.onWindowEnd?.();
    stopped = true;
  }, options.warmupMs + options.durationMs);
  const inWindow = (at: number) => at >= windowStart && at <= windowEnd;

  const loop = async () => {
    while (!stopped) {
      const startedAt = now();
      try {
        const record = await options.operation();
        const finishedAt = now();
        if (!inWindow(finishedAt)) continue;
        outcome.completed++;
        outcome.latencyMs.push(finishedAt - startedAt);
        record?.(startedAt);
      } catch (error) {
        if (!inWindow(now())) continue;
        outcome.failed++;
        if (outcome.failures.length < 3) outcome.failures.push((error as Error).message);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, loop));
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
  }
  return outcome;
}
