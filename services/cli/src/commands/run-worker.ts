import { loadConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import { startTracing } from '@switchyard/observability';
import { startWorkers } from '@switchyard/worker';
import { stopOnSignals } from '../shutdown.ts';

/** Workers never touch Postgres: they need only Redis and the provider keys. */
export async function runWorker(logger: Logger, options: { providers: string; concurrency?: number }): Promise<void> {
  const tracing = startTracing({ serviceName: 'switchyard-worker', logger });
  const config = loadConfig();
  const providers =
    options.providers === 'all'
      ? 'all'
      : options.providers
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  const workers = await startWorkers({ config, logger, providers, concurrency: options.concurrency });
  stopOnSignals(logger, [() => workers.stop(), () => tracing.shutdown()]);
}
