import { startAlerts } from '@switchyard/alerts';
import { startBatchDriver } from '@switchyard/batches';
import { loadConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import { startLedger } from '@switchyard/ledger';
import { createRedis } from '@switchyard/queue';
import { openDatabase } from '../database.ts';
import { stopOnSignals } from '../shutdown.ts';

/** `switchyard ledger`: the only writer of usage and finished jobs to Postgres, and the batch driver. */
export async function runLedger(logger: Logger): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, { command: 'ledger', allowEmbedded: false });
  const redis = createRedis(config.redis.url, { role: 'blocking', name: 'ledger' });
  const ledger = await startLedger({ redis, db: database.db, logger, prefix: config.redis.prefix });
  // The batch driver lives beside the ledger: both are Postgres writers, one per deployment's worth.
  const driverRedis = createRedis(config.redis.url, { role: 'blocking', name: 'batch-driver' });
  const driver = await startBatchDriver({ db: database.db, redis: driverRedis, config, logger });
  // Alert evaluators beside every ledger: one leads at a time.
  const alertsRedis = createRedis(config.redis.url, { role: 'producer', name: 'alerts' });
  const alerts = await startAlerts({ config, db: database.db, redis: alertsRedis, logger });
  stopOnSignals(logger, [
    () => alerts.stop(),
    () => driver.stop(),
    () => ledger.stop(),
    async () => void (await driverRedis.quit()),
    async () => void (await alertsRedis.quit()),
    async () => void (await redis.quit()),
    () => database.close(),
  ]);
}
