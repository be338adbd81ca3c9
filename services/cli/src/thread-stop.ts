// A stop step of a thread of `switchyard all` (commands/worker-thread.ts, commands/database-thread.ts):
// once it is done the thread goes on (`done`: exit 0, or tell the main thread); if it fails,
// the thread says it could not stop cleanly and exits 1, which the main thread reports.
import type { Logger } from '@switchyard/logger';

export function afterStopStep(step: Promise<unknown>, options: { logger: Logger; thread: string; done(): void }): void {
  step.then(options.done, (error: unknown) => {
    options.logger.error({ err: error }, `${options.thread} could not stop cleanly`);
    process.exit(1);
  });
}
