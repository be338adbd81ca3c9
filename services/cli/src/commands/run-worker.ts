import type { Logger } from '@switchyard/logger';
import { startWorkers } from '@switchyard/worker';
import { followConfig } from '../reload-on-signal.ts';
import { stopOnSignals } from '../shutdown.ts';

/** Workers never touch Postgres: they need only Redis and the provider keys. */
export async function runWorker(logger: Logger, options: { providers: string; concurrency?: number }): Promise<void> {
  const { live, bus } = await followConfig(logger, 'worker');
  const providers =
    options.providers === 'all'
      ? 'all'
      : options.providers
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  const workers = await startWorkers({ config: live, logger, providers, concurrency: options.concurrency });
  stopOnSignals(logger, [() => workers.stop(), () => bus.close()]);
}
