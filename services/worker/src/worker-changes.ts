import type { SwitchyardConfig } from '@switchyard/config';

/** How one provider's BullMQ Worker is set up. */
export type WorkerSettings = {
  concurrency: number;
  limiter: { max: number; duration: number };
  lockDuration: number;
  stalledInterval: number;
  /** The queue-wide ceiling across every worker process; absent: none. */
  maxConcurrency: number | undefined;
};

export type WorkerOverrides = { concurrency?: number; lockDurationMs?: number; stalledIntervalMs?: number };

export function workerSettingsOf(config: SwitchyardConfig, provider: string, overrides: WorkerOverrides = {}): WorkerSettings {
  const settings = config.providers[provider]!;
  return {
    concurrency: overrides.concurrency ?? settings.concurrency,
    // A limiter is always set: without one BullMQ ignores the pause a 429 puts on the queue
    // (queue.rateLimit). Unlimited providers get a ceiling they never reach.
    limiter: settings.requestsPerMinute > 0 ? { max: settings.requestsPerMinute, duration: 60_000 } : { max: Number.MAX_SAFE_INTEGER - 1, duration: 1000 },
    lockDuration: overrides.lockDurationMs ?? config.worker.lockDurationMs,
    stalledInterval: overrides.stalledIntervalMs ?? config.worker.stalledIntervalMs,
    maxConcurrency: settings.maxConcurrency,
  };
}

export type WorkerChanges = {
  /** Newly selected providers: a Worker to start. */
  start: string[];
  /** No longer selected (removed or disabled): close its Worker, letting its jobs finish. */
  stop: string[];
  /** The limiter or lock settings moved, which BullMQ reads only when a Worker is made: start a new one, close the old. */
  replace: string[];
  /** Only the concurrency moved: BullMQ takes it on the running Worker. */
  resize: string[];
  /** The queue-wide ceiling moved (set or removed on the queue). */
  ceiling: string[];
};

/** What a reload changes in a process's Workers, from the settings they run with and the ones the new config wants. */
export function planWorkerChanges(running: ReadonlyMap<string, WorkerSettings>, wanted: ReadonlyMap<string, WorkerSettings>): WorkerChanges {
  const changes: WorkerChanges = { start: [], stop: [], replace: [], resize: [], ceiling: [] };
  for (const [name, next] of wanted) {
    const now = running.get(name);
    if (!now) {
      changes.start.push(name);
      continue;
    }
    const { concurrency: _nowConcurrency, maxConcurrency: nowCeiling, ...nowFixed } = now;
    const { concurrency: _nextConcurrency, maxConcurrency: nextCeiling, ...nextFixed } = next;
    if (JSON.stringify(nowFixed) !== JSON.stringify(nextFixed)) changes.replace.push(name);
    else if (now.concurrency !== next.concurrency) changes.resize.push(name);
    if (nowCeiling !== nextCeiling) changes.ceiling.push(name);
  }
  for (const name of running.keys()) if (!wanted.has(name)) changes.stop.push(name);
  return changes;
}
