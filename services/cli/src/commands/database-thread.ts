// The entry of `switchyard all`'s database thread (started by database-thread.ts): the
// database and everything that writes it in the background, off the api's event loop. It
// opens (and migrates) the database, serves it to the api over a MessagePort when it is
// embedded PGlite, and runs the ledger, webhook deliveries, the batch driver and alerts.
// It logs through the main thread, answers its metrics requests, and stops in two steps.
import { parentPort, workerData } from 'node:worker_threads';
import { startAlerts } from '@switchyard/alerts';
import { startBatchDriver } from '@switchyard/batches';
import { serveDatabasePort } from '@switchyard/db';
import { startLedger } from '@switchyard/ledger';
import { createProcessRegistry, startTracing } from '@switchyard/observability';
import { createRedis } from '@switchyard/queue';
import { startWebhooks } from '@switchyard/webhooks';
import { openDatabase } from '../database.ts';
import type { DatabaseThreadData, FromDatabaseThread, ToDatabaseThread } from '../database-thread-protocol.ts';
import { followConfig } from '../reload-on-signal.ts';
import { createThreadLogger } from '../thread-logger.ts';
import { answerMetricsRequest } from '../thread-metrics.ts';
import { startThreadCpuProfile } from '../thread-cpu-profile.ts';
import { afterStopStep } from '../thread-stop.ts';

const port = parentPort;
if (!port) throw new Error('database-thread.ts is the entry of the database thread of switchyard all, not a command');
const data = workerData as DatabaseThreadData;
const send = (message: FromDatabaseThread) => port.postMessage(message);
const logger = createThreadLogger(port, 'database');
const profile = startThreadCpuProfile('database');

/**
 * Test-only fault (an integration test of `all`'s handling): `SWITCHYARD_TEST_CRASH_DATABASE_THREAD
 * = <afterMs>` makes the thread throw an uncaught error `afterMs` after it is ready.
 */
function scheduleTestCrash(): void {
  const afterMs = process.env.SWITCHYARD_TEST_CRASH_DATABASE_THREAD;
  if (!afterMs) return;
  setTimeout(() => {
    throw new Error('test crash of the database thread (SWITCHYARD_TEST_CRASH_DATABASE_THREAD)');
  }, Number(afterMs) || 0);
}

async function start() {
  const tracing = await startTracing({ serviceName: 'switchyard', logger });
  const { live, bus } = await followConfig(logger, 'ledger', { overrides: data.overrides, sighup: false });
  const config = live.current();
  const database = await openDatabase(config, { command: 'all', allowEmbedded: true });
  const served = data.clientPort ? serveDatabasePort(database.db, data.clientPort) : undefined;
  const registry = createProcessRegistry({ processMetrics: false, labels: { thread: 'database' } });
  const ledgerRedis = createRedis(config.redis, { role: 'blocking', name: 'ledger' });
  // Entries of many requests share one transaction (on embedded PGlite each costs ~10 ms of CPU).
  const lingerMs = config.database.url ? 50 : 250;
  const ledger = await startLedger({ redis: ledgerRedis, db: database.db, logger, prefix: config.redis.prefix, registry, lingerMs });
  // The ledger beside it nudges after every commit with deliveries, so a slow poll only backs that up (and spares embedded PGlite).
  const webhooks = await startWebhooks({ config: live, db: database.db, logger, pollIntervalMs: 1000, registry });
  const driverRedis = createRedis(config.redis, { role: 'blocking', name: 'batch-driver' });
  const driver = await startBatchDriver({ db: database.db, redis: driverRedis, config: live, logger, registry });
  const alertsRedis = createRedis(config.redis, { role: 'producer', name: 'alerts' });
  const alerts = await startAlerts({ config, db: database.db, redis: alertsRedis, logger, registry });
  return {
    registry,
    async stopProducers() {
      await driver.stop();
      await alerts.stop();
    },
    // After the api and the workers: the ledger writes what they left, then webhooks finish their attempts in flight.
    async stop() {
      await ledger.stop();
      await webhooks.stop();
      await bus.close();
      await Promise.all([driverRedis.quit(), alertsRedis.quit(), ledgerRedis.quit()]);
      await served?.close();
      await database.close();
      await tracing.shutdown();
    },
  };
}

const started = start();
port.on('message', (message: ToDatabaseThread) => {
  if (message.type === 'metrics') return answerMetricsRequest(port, started, message.id);
  const thread = 'database thread';
  if (message.type === 'stop-producers')
    return afterStopStep(
      started.then((running) => running.stopProducers()),
      { logger, thread, done: () => send({ type: 'producers-stopped' }) },
    );
  afterStopStep(
    started.then((running) => running.stop()),
    { logger, thread, done: () => void profile.write().finally(() => process.exit(0)) },
  );
});
// A failed start (the database cannot open, say) is uncaught here: the main thread logs it and stops `all`.
void started.then(() => {
  send({ type: 'ready' });
  scheduleTestCrash();
});
