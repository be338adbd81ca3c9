import type { Logger } from '@switchyard/logger';
import { createProcessRegistry, startTracing } from '@switchyard/observability';
import { startWebhooks } from '@switchyard/webhooks';
import { openDatabase } from '../database.ts';
import { serveProcessMetrics } from '../process-metrics.ts';
import { followConfig } from '../reload-on-signal.ts';
import { stopOnSignals } from '../shutdown.ts';

/** `switchyard webhooks`: delivers webhook events from the outbox; any number may run. */
export async function runWebhooks(logger: Logger, options: { metricsPort?: number } = {}): Promise<void> {
  const tracing = await startTracing({ serviceName: 'switchyard-webhooks', logger });
  const { live, bus } = await followConfig(logger, 'webhooks');
  const config = live.current();
  const database = await openDatabase(config, { command: 'webhooks', allowEmbedded: false });
  const registry = createProcessRegistry();
  const webhooks = await startWebhooks({ config: live, db: database.db, logger, registry });
  const stopMetrics = await serveProcessMetrics({ config, registry, logger, port: options.metricsPort });
  stopOnSignals(logger, [() => webhooks.stop(), () => bus.close(), () => database.close(), stopMetrics, () => tracing.shutdown()]);
}
