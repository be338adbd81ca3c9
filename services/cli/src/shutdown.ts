import type { Logger } from '@switchyard/logger';

export type Shutdown = {
  /** The same drain, asked from within (`all` when a worker thread crashed too often): exits `exitCode`. */
  stop(reason: string, exitCode: number): Promise<void>;
};

/**
 * SIGTERM / SIGINT drain: stop in the given order (ingress first: an api drains its requests,
 * a worker finishes its jobs), then exit 0. A second signal exits 1 at once. The last line
 * says how long each step took, so a slow drain can be told from a slow disconnect.
 */
export function stopOnSignals(logger: Logger, steps: Array<() => Promise<void>>): Shutdown {
  let stopping = false;
  const stop = async (reason: string, exitCode: number) => {
    if (stopping) {
      logger.warn({ signal: reason }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    const startedAt = Date.now();
    logger.info({ signal: reason }, 'draining');
    const stepMs: number[] = [];
    for (const step of steps) {
      const stepStartedAt = Date.now();
      try {
        await step();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
      }
      stepMs.push(Date.now() - stepStartedAt);
    }
    logger.info({ signal: reason, durationMs: Date.now() - startedAt, stepMs, exitCode }, 'stopped');
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
  return { stop };
}
