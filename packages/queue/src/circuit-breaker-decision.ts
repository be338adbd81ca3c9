import type { BreakerState } from './circuit-breaker-deployment.ts';

/**
 * When a breaker opens. Two triggers, either of which opens it:
 * - absolute: `failureThreshold` failures within the window;
 * - ratio: at least `minimumCalls` calls within the window, of which `failureRatio` or
 *   more failed.
 * With `failureRatio` unset only the absolute trigger applies (threshold 5 unless set).
 * With `failureRatio` set the ratio replaces that default: a busy deployment with a few
 * failures in many calls stays closed. An explicit `failureThreshold` then still applies
 * too, as a ceiling on failures whatever the traffic.
 */
export type BreakerTrip = {
  failureThreshold?: number;
  /** 0 < ratio <= 1. */
  failureRatio?: number;
  /** Calls the window must hold before the ratio counts (default 20). */
  minimumCalls?: number;
};

export type WindowCounts = { calls: number; failures: number };

export const defaultFailureThreshold = 5;
export const defaultMinimumCalls = 20;

/** Does this window open the breaker? */
export function tripsBreaker(counts: WindowCounts, trip: BreakerTrip): boolean {
  const threshold = trip.failureThreshold ?? (trip.failureRatio === undefined ? defaultFailureThreshold : undefined);
  if (threshold !== undefined && counts.failures >= threshold) return true;
  if (trip.failureRatio === undefined) return false;
  const minimumCalls = trip.minimumCalls ?? defaultMinimumCalls;
  return counts.calls > 0 && counts.calls >= minimumCalls && counts.failures / counts.calls >= trip.failureRatio;
}

/**
 * The window slides in this many steps: calls are counted in buckets of windowMs / 10
 * and the last ten buckets make the window, so old calls leave it a step at a time
 * instead of all at once when a fixed window would reset.
 */
export const windowSlots = 10;

export type WindowPosition = { bucket: number; slot: number };

/** The bucket a call made at `now` is counted in, and the ring slot that bucket lives in. */
export function windowPosition(now: number, windowMs: number): WindowPosition {
  const bucket = Math.floor(now / bucketMs(windowMs));
  return { bucket, slot: bucket % windowSlots };
}

export const bucketMs = (windowMs: number): number => Math.max(1, Math.ceil(windowMs / windowSlots));

export type WindowSlot = { bucket: number; calls: number; failures: number };

/** Calls and failures within the window ending at `now`; slots holding older buckets count nothing. */
export function windowCounts(slots: WindowSlot[], now: number, windowMs: number): WindowCounts {
  const { bucket: current } = windowPosition(now, windowMs);
  let calls = 0;
  let failures = 0;
  for (const slot of slots) {
    const age = current - slot.bucket;
    if (age < 0 || age >= windowSlots) continue;
    calls += slot.calls;
    failures += slot.failures;
  }
  return { calls, failures };
}

/**
 * One state for a provider from its deployments' states: as available as its most
 * available deployment. Open only when every known deployment is open (the provider
 * serves nothing); half-open when none is closed but some are probing; closed as long as
 * one deployment is closed (a degraded provider shows in its per-model states).
 */
export function providerBreakerState(states: BreakerState[]): BreakerState {
  if (states.length === 0 || states.includes('closed')) return 'closed';
  if (states.includes('half_open')) return 'half_open';
  return 'open';
}
