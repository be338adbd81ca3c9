import { loadConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import { startTracing } from '@switchyard/observability';
import { startApi } from '@switchyard/api';
import { openDatabase } from '../database.ts';
import { stopOnSignals } from '../shutdown.ts';

export async function runApi(logger: Logger, options: { port?: number; host?: string }): Promise<void> {
  const tracing = startTracing({ serviceName: 'switchyard-api', logger });
  const config = loadConfig();
  const database = await openDatabase(config, { command: 'api', allowEmbedded: false });
  const api = await startApi({ config, db: database.db, logger, port: options.port, host: options.host });
  stopOnSignals(logger, [() => api.stop(), () => database.close(), () => tracing.shutdown()]);
}
