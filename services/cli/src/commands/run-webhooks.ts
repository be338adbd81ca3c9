import { loadConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import { createProcessRegistry } from '@switchyard/observability';
import { startWebhooks } from '@switchyard/webhooks';
import { openDatabase } from '../database.ts';
import { serveProcessMetrics } from '../process-metrics.ts';
import { stopOnSignals } from '../shutdown.ts';

/** `switchyard webhooks`: delivers webhook events from the outbox; any number may run. */
export async function runWebhooks(logger: Logger, options: { metricsPort?: number } = {}): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, { command: 'webhooks', allowEmbedded: false });
  const registry = createProcessRegistry();
  const webhooks = await startWebhooks({ config, db: database.db, logger, registry });
  const stopMetrics = await serveProcessMetrics({ config, registry, logger, port: options.metricsPort });
  stopOnSignals(logger, [() => webhooks.stop(), () => database.close(), stopMetrics]);
}
