// How many worker threads `switchyard all` runs its provider workers on.

/**
 * `--worker-threads N` first, then SWITCHYARD_WORKER_THREADS, else every core but the one of
 * the main thread (api, ledger, webhooks, embedded database), at least one and at most
 * `defaultMaxThreads`: the single api on the main thread bounds `all` well before more
 * workers would help (their calls are mostly waiting), and each thread costs ~67 MB. 0 runs
 * the workers on the main thread, as `all` did before it had threads.
 */
export const defaultMaxThreads = 2;

export function workerThreadCount(options: { flag?: string; env?: string; cores: number }): number {
  const given = options.flag ?? (options.env === '' ? undefined : options.env);
  if (given === undefined) return Math.max(1, Math.min(options.cores - 1, defaultMaxThreads));
  const source = options.flag !== undefined ? '--worker-threads' : 'SWITCHYARD_WORKER_THREADS';
  if (!/^\d+$/.test(given)) throw new Error(`${source} must be a whole number (0 runs the workers on the main thread), got "${given}"`);
  return Number(given);
}
