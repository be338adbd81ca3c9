import type { Logger } from '@switchyard/logger';
import { startTracing } from '@switchyard/observability';
import { startApi } from '@switchyard/api';
import { openDatabase } from '../database.ts';
import { followConfig } from '../reload-on-signal.ts';
import { stopOnSignals } from '../shutdown.ts';

export async function runApi(logger: Logger, options: { port?: number; host?: string }): Promise<void> {
  const tracing = await startTracing({ serviceName: 'switchyard-api', logger });
  const { live, bus } = await followConfig(logger, 'api');
  const config = live.current();
  const database = await openDatabase(config, { command: 'api', allowEmbedded: false });
  const api = await startApi({ config: live, configBus: bus, db: database.db, logger, port: options.port, host: options.host });
  stopOnSignals(logger, [() => api.stop(), () => bus.close(), () => database.close(), () => tracing.shutdown()]);
}
