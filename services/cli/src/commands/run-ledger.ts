import { startAlerts } from '@switchyard/alerts';
import { startBatchDriver } from '@switchyard/batches';
import type { Logger } from '@switchyard/logger';
import { startLedger } from '@switchyard/ledger';
import { createProcessRegistry, startTracing } from '@switchyard/observability';
import { createRedis } from '@switchyard/queue';
import { openDatabase } from '../database.ts';
import { serveProcessMetrics } from '../process-metrics.ts';
import { followConfig } from '../reload-on-signal.ts';
import { stopOnSignals } from '../shutdown.ts';

/** `switchyard ledger`: the only writer of usage and finished jobs to Postgres, and the batch driver. */
export async function runLedger(logger: Logger, options: { metricsPort?: number } = {}): Promise<void> {
  const tracing = await startTracing({ serviceName: 'switchyard-ledger', logger });
  const { live, bus } = await followConfig(logger, 'ledger');
  const config = live.current();
  const database = await openDatabase(config, { command: 'ledger', allowEmbedded: false });
  const redis = createRedis(config.redis, { role: 'blocking', name: 'ledger' });
  const registry = createProcessRegistry();
  // After a partial batch, 50 ms for more: under light load requests share a transaction
  // (one per request cost this ledger ~1 ms of CPU at concurrency 1), entries wait that much longer.
  const ledger = await startLedger({ redis, db: database.db, logger, prefix: config.redis.prefix, registry, lingerMs: 50 });
  // The batch driver lives beside the ledger: both are Postgres writers, one per deployment's worth.
  const driverRedis = createRedis(config.redis, { role: 'blocking', name: 'batch-driver' });
  const driver = await startBatchDriver({ db: database.db, redis: driverRedis, config: live, logger, registry });
  // Alert evaluators beside every ledger: one leads at a time.
  const alertsRedis = createRedis(config.redis, { role: 'producer', name: 'alerts' });
  const alerts = await startAlerts({ config, db: database.db, redis: alertsRedis, logger, registry });
  const stopMetrics = await serveProcessMetrics({ config, registry, logger, port: options.metricsPort });
  stopOnSignals(logger, [
    () => alerts.stop(),
    () => driver.stop(),
    () => ledger.stop(),
    () => bus.close(),
    async () => void (await driverRedis.quit()),
    async () => void (await alertsRedis.quit()),
    async () => void (await redis.quit()),
    () => database.close(),
    stopMetrics,
    () => tracing.shutdown(),
  ]);
}
