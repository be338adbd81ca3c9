// How many worker threads `switchyard all` runs its provider workers on.

/**
 * `--worker-threads N` first, then SWITCHYARD_WORKER_THREADS, else every core but the two of
 * the main thread (the api) and the database thread (embedded database, ledger, webhooks),
 * at most `defaultMaxThreads`: the single api bounds `all` well before more workers would
 * help (their calls are mostly waiting), and each thread costs ~50 MB. 0, the default on 2
 * cores, runs the workers on the main thread beside the api: a third thread there keeps
 * bursts of job starts off the api's event loop (0.81x against 0.69x at concurrency 64 with
 * a 50 ms upstream) but takes `all` over 300 MB idle (docs/all-command.md, Sizing).
 */
export const defaultMaxThreads = 2;

export function workerThreadCount(options: { flag?: string; env?: string; cores: number }): number {
  const given = options.flag ?? (options.env === '' ? undefined : options.env);
  if (given === undefined) return Math.max(0, Math.min(options.cores - 2, defaultMaxThreads));
  const source = options.flag !== undefined ? '--worker-threads' : 'SWITCHYARD_WORKER_THREADS';
  if (!/^\d+$/.test(given)) throw new Error(`${source} must be a whole number (0 runs the workers on the main thread), got "${given}"`);
  return Number(given);
}
