import { logDestinationOf, type Logger } from '@switchyard/logger';

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
      exitAfterFlush(logger, 1);
      return;
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
    exitAfterFlush(logger, exitCode);
  };
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
  return { stop };
}

/**
 * Exits once no log write is under way. pino writes stdout asynchronously (sonic-boom) and,
 * at exit, writes what is still queued synchronously, but not a write already under way,
 * which then lands after it: `all`'s `stopped` line was seen before the line logged just
 * ahead of it. sonic-boom has no public "all written" signal when lines are not held back
 * (`minLength` 0; its `flush` calls back at once), so this reads its `_writing` flag and
 * waits for the `drain` that ends the write. Never waits more than a second; a natural exit
 * meanwhile keeps the code.
 */
function exitAfterFlush(logger: Logger, exitCode: number): void {
  process.exitCode = exitCode;
  const exit = () => process.exit(exitCode);
  setTimeout(exit, 1000).unref();
  const destination = logDestinationOf(logger) as unknown as { _writing?: boolean; once?: (event: 'drain', listener: () => void) => void };
  if (destination._writing === true && typeof destination.once === 'function') destination.once('drain', exit);
  else exit();
}
