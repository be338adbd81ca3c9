import { randomBytes } from 'node:crypto';
import { loadConfig } from '@switchyard/config';
import { createApiKey, createOrg, listOrgs } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import { startApi } from '@switchyard/api';
import { createProcessRegistry, startTracing } from '@switchyard/observability';
import { openDatabase } from '../database.ts';
import { startDatabaseThread } from '../database-thread.ts';
import { acquireEmbeddedDatabase, describeHolder, type EmbeddedDatabaseLock } from '../embedded-database-lock.ts';
import { resolveRedis } from '../embedded-redis.ts';
import { followConfig } from '../reload-on-signal.ts';
import { stopOnSignals, type Shutdown } from '../shutdown.ts';
import { startWorkerThreadPool } from '../worker-thread-pool.ts';

/** The embedded database is this process's alone; a second holder is refused by name. */
function holdEmbeddedDatabase(dataDir: string): EmbeddedDatabaseLock {
  const lock = acquireEmbeddedDatabase(dataDir, 'all');
  if ('heldBy' in lock) throw new Error(`${describeHolder(dataDir, lock.heldBy)}: stop it first, or set DATABASE_URL to a shared Postgres`);
  return lock;
}

/**
 * `switchyard all`: the whole system in one process on embedded defaults. The api runs on
 * the main thread; the database with the ledger, webhooks, batch driver and alerts on the
 * database thread (the api reaches embedded PGlite through it); the provider workers on
 * `workerThreads` worker threads (0: on the main thread) (docs/all-command.md).
 */
export async function runAll(logger: Logger, options: { port?: number; host: string; workerThreads: number }): Promise<void> {
  const tracing = await startTracing({ serviceName: 'switchyard', logger });
  const base = loadConfig();
  const lock = base.database.url ? undefined : holdEmbeddedDatabase(base.database.dataDir);
  // A Redis Cluster (REDIS_CLUSTER_NODES) is used as given; otherwise REDIS_URL, a local or a private server.
  const redis = base.redis.clusterNodes
    ? { url: base.redis.url, source: 'Redis Cluster (REDIS_CLUSTER_NODES)', stop: async () => {} }
    : await resolveRedis({ explicitUrl: process.env.REDIS_URL, dataDir: '.data' });
  // Admin commands run beside us reach the embedded database through our admin API; without
  // an admin key of the operator's, they get a key made up for this run (in the 0600 lock file).
  const adminToken = lock && !base.adminKey ? `local-${randomBytes(24).toString('base64url')}` : undefined;
  const overrides = { redis: { url: redis.url }, ...(adminToken ? { adminKey: adminToken } : {}) };
  const { live, bus } = await followConfig(logger, 'all', { overrides });
  const config = live.current();
  logger.info(
    { redis: redis.source, database: base.database.url ? 'DATABASE_URL' : `embedded PGlite in ${base.database.dataDir}`, workerThreads: options.workerThreads },
    'starting switchyard all',
  );
  // The worker threads need only Redis and the config: they start while the database opens.
  const threads = options.workerThreads > 0 ? startWorkerThreadPool({ count: options.workerThreads, overrides, logger }) : undefined;
  const databaseThread = startDatabaseThread({ overrides, logger, embedded: !base.database.url });
  // The database thread gone (logged at fatal, with its cause) stops `all`, non-zero: drained once
  // started, at once while still starting (nothing to drain yet).
  let shutdown: Shutdown | undefined;
  void databaseThread.failed.then(() => (shutdown ? shutdown.stop('database thread stopped', 1) : process.exit(1)));
  await databaseThread.ready;
  // Embedded: the thread's PGlite, over a MessagePort. Postgres: a pool of the api's own.
  const served = databaseThread.db;
  const database = served ? { db: served, close: () => served.destroy() } : await openDatabase(config, { command: 'all', allowEmbedded: false });
  const port = options.port ?? config.server.port;
  if ((await listOrgs(database.db)).length === 0) {
    const org = await createOrg(database.db, { name: 'default' });
    const key = await createApiKey(database.db, { orgId: org.id, name: 'first key' });
    const localHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
    // Shown once, on the terminal only (never through the logger).
    process.stderr.write(
      `\nFirst start: created organization "default" (${org.id}) and its API key (shown once):\n\n    ${key.key}\n\n` +
        `Try: curl http://${localHost}:${port}/v1/chat/completions -H "Authorization: Bearer ${key.key}" ` +
        `-H "Content-Type: application/json" -d '{"model":"mock-fast","messages":[{"role":"user","content":"Hello"}]}'\n\n`,
    );
  }
  // One registry for the main thread, served by the api on its own port at /metrics with the threads' beside it.
  const registry = createProcessRegistry();
  const workers = threads
    ? { stop: () => threads.stop() }
    : await (await import('@switchyard/worker')).startWorkers({ config: live, logger, providers: 'all', registry });
  await threads?.ready;
  const moreMetrics = async () => {
    const [workerThreads, databaseMetrics] = await Promise.all([threads?.metrics() ?? [], databaseThread.metrics()]);
    return databaseMetrics ? [...workerThreads, databaseMetrics] : workerThreads;
  };
  // Workers on this thread hand the api their replies in process (packages/queue/src/local-replies.ts).
  const api = await startApi({
    config: live,
    configBus: bus,
    db: database.db,
    logger,
    port,
    host: options.host,
    registry,
    moreMetrics,
    localReplies: true,
  });
  lock?.update({ adminUrl: api.url, ...(adminToken ? { adminToken } : {}) });
  // Ingress first, then what queues work in the background, then the workers (threads) finish
  // what they hold, then the ledger drains and webhooks finish their attempts in flight (what
  // the ledger's last batch queued waits in the outbox), then the database closes.
  shutdown = stopOnSignals(logger, [
    () => api.stop(),
    () => databaseThread.stopProducers(),
    () => workers.stop(),
    () => database.close(),
    () => databaseThread.stop(),
    () => bus.close(),
    async () => lock?.release(),
    () => redis.stop(),
    () => tracing.shutdown(),
  ]);
  // A worker thread that crashes over and over (logged at fatal, with its cause) stops the whole of `all`, non-zero.
  void threads?.failed.then(() => shutdown?.stop('worker threads crashing', 1));
}
