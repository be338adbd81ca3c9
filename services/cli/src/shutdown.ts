import type { Logger } from '@switchyard/logger';

/**
 * SIGTERM / SIGINT drain: stop in the given order (ingress first: an api drains its requests,
 * a worker finishes its jobs), then exit 0. A second signal exits 1 at once. The last line
 * says how long each step took, so a slow drain can be told from a slow disconnect.
 */
export function stopOnSignals(logger: Logger, steps: Array<() => Promise<void>>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    const startedAt = Date.now();
    logger.info({ signal }, 'draining');
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
    logger.info({ signal, durationMs: Date.now() - startedAt, stepMs }, 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
