import { loadConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import { createProcessRegistry } from '@switchyard/observability';
import { startWorkers } from '@switchyard/worker';
import { serveProcessMetrics } from '../process-metrics.ts';
import { stopOnSignals } from '../shutdown.ts';

/** Workers never touch Postgres: they need only Redis and the provider keys. */
export async function runWorker(logger: Logger, options: { providers: string; concurrency?: number; metricsPort?: number }): Promise<void> {
  const config = loadConfig();
  const providers =
    options.providers === 'all'
      ? 'all'
      : options.providers
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  const registry = createProcessRegistry();
  const workers = await startWorkers({ config, logger, providers, concurrency: options.concurrency, registry });
  const stopMetrics = await serveProcessMetrics({ config, registry, logger, port: options.metricsPort });
  stopOnSignals(logger, [() => workers.stop(), stopMetrics]);
}
