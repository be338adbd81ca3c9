import { loadConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import { startTracing } from '@switchyard/observability';
import { startWebhooks } from '@switchyard/webhooks';
import { openDatabase } from '../database.ts';
import { stopOnSignals } from '../shutdown.ts';

/** `switchyard webhooks`: delivers webhook events from the outbox; any number may run. */
export async function runWebhooks(logger: Logger): Promise<void> {
  const tracing = startTracing({ serviceName: 'switchyard-webhooks', logger });
  const config = loadConfig();
  const database = await openDatabase(config, { command: 'webhooks', allowEmbedded: false });
  const webhooks = await startWebhooks({ config, db: database.db, logger });
  stopOnSignals(logger, [() => webhooks.stop(), () => database.close(), () => tracing.shutdown()]);
}
