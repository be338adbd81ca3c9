import type { Logger } from '@switchyard/logger';
import { createProcessRegistry, startTracing } from '@switchyard/observability';
import { startWorkers } from '@switchyard/worker';
import { serveProcessMetrics } from '../process-metrics.ts';
import { followConfig } from '../reload-on-signal.ts';
import { stopOnSignals } from '../shutdown.ts';

/** Workers never touch Postgres: they need only Redis and the provider keys. */
export async function runWorker(logger: Logger, options: { providers: string; concurrency?: number; metricsPort?: number }): Promise<void> {
  const tracing = await startTracing({ serviceName: 'switchyard-worker', logger });
  const { live, bus } = await followConfig(logger, 'worker');
  const providers =
    options.providers === 'all'
      ? 'all'
      : options.providers
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  const registry = createProcessRegistry();
  const workers = await startWorkers({ config: live, logger, providers, concurrency: options.concurrency, registry });
  const stopMetrics = await serveProcessMetrics({ config: live.current(), registry, logger, port: options.metricsPort });
  stopOnSignals(logger, [() => workers.stop(), () => bus.close(), stopMetrics, () => tracing.shutdown()]);
}
