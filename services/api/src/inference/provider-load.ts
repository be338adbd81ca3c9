/** One provider queue's load as the api last sampled it. */
export type ProviderLoad = {
  /** Sync requests waiting (BullMQ's plain wait list: they run before any prioritised job). */
  waitingSync: number;
  /** Everything waiting: sync, async and batch lanes, and retries in backoff. */
  waitingAll: number;
  /** BullMQ's running count of completed jobs. */
  completedTotal: number;
  /** Completions per second while backlogged: the provider's capacity, not its current load. */
  throughputPerSecond: number;
  /** Samples taken while jobs waited and others completed; the estimate is trusted after a few. */
  backloggedSamples: number;
  /** Workers consuming the provider's queue (BullMQ's connected workers). */
  workers: number;
  sampledAt: number;
};

export type LoadSample = Pick<ProviderLoad, 'waitingSync' | 'waitingAll' | 'completedTotal' | 'workers' | 'sampledAt'>;

/**
 * Folds a new sample into the estimate. Only intervals in which jobs waited throughout and
 * workers completed others say anything about capacity; the estimate is a slowly decaying
 * peak, so refusing work is only right when even the best recent rate cannot reach a
 * request in time (a worker ramping up must not read as a slow provider).
 */
export function nextLoad(previous: ProviderLoad | undefined, sample: LoadSample): ProviderLoad {
  if (!previous || sample.sampledAt <= previous.sampledAt) return { ...sample, throughputPerSecond: previous?.throughputPerSecond ?? 0, backloggedSamples: 0 };
  const instant = ((sample.completedTotal - previous.completedTotal) * 1000) / (sample.sampledAt - previous.sampledAt);
  const backlogged = previous.waitingAll > 0 && sample.waitingAll > 0;
  if (backlogged && instant > 0) {
    return { ...sample, throughputPerSecond: Math.max(instant, 0.9 * previous.throughputPerSecond), backloggedSamples: previous.backloggedSamples + 1 };
  }
  if (sample.waitingAll > 0 && instant === 0) {
    // Backlogged but nothing finished (no worker yet, or all busy on long calls): no news.
    return { ...sample, throughputPerSecond: previous.throughputPerSecond, backloggedSamples: previous.backloggedSamples };
  }
  // An idle or draining queue says nothing about capacity; never lower the estimate on it.
  return { ...sample, throughputPerSecond: Math.max(previous.throughputPerSecond, instant), backloggedSamples: 0 };
}
