import { createLiveConfig, loadConfig, type LiveConfig, type SwitchyardConfig } from '@switchyard/config';
import { createApiKey, createDb, createOrg, migrateToLatest, type DbHandle } from '@switchyard/db';
import { createSilentLogger } from '@switchyard/logger';
import { createTestDatabase, deletePrefix, testRedis, uniquePrefix, type TestDatabase } from '@switchyard/testing';
import { startApi, type RunningApi } from '@switchyard/api';
import { startWorkers, type RunningWorkers, type WorkerOptions } from '@switchyard/worker';
import { startLedger, type Ledger } from '@switchyard/ledger';
import { startWebhooks, type RunningWebhooks } from '@switchyard/webhooks';
import { createRedis, startConfigReloadBus } from '@switchyard/queue';
import { startBatchDriver, type BatchDriver } from '@switchyard/batches';
import { startAlerts, type RunningAlerts } from '@switchyard/alerts';

export const adminKey = 'test-admin-key-0123456789abcdef';

export type Overrides = Record<string, unknown>;

export type TestGateway = {
  url: string;
  /** The config the gateway started with. */
  config: SwitchyardConfig;
  /** The config every part of the gateway follows; `reload()` (or POST /v1/admin/config/reload) takes what `setOverrides` last gave. */
  liveConfig: LiveConfig;
  /** What the config loader applies over the gateway's base from now on (replacing the options' `overrides`). */
  setOverrides(overrides: Overrides): void;
  database: DbHandle;
  testDatabase: TestDatabase;
  prefix: string;
  redisUrl: string;
  api: RunningApi;
  workers: RunningWorkers | undefined;
  ledger: Ledger | undefined;
  /** The webhooks delivery service, when asked for (`webhooks: true`). */
  webhooks: RunningWebhooks | undefined;
  /** The batch driver (runs with the ledger unless `batchDriver: false`). */
  batchDriver: BatchDriver | undefined;
  /** The alert evaluator, when asked for (`alerts: true`). */
  alerts: RunningAlerts | undefined;
  /** An org with one key, created for this gateway. */
  orgId: string;
  apiKey: string;
  createTenant(name: string): Promise<{ orgId: string; apiKey: string }>;
  startWorkers(options?: Partial<WorkerOptions>): Promise<RunningWorkers>;
  stop(): Promise<void>;
};

export type TestGatewayOptions = {
  overrides?: Overrides;
  workers?: boolean;
  ledger?: boolean;
  /** Also run the webhooks delivery service (off by default: most tests send no webhooks). */
  webhooks?: boolean;
  /** The batch driver runs with the ledger unless this is false. */
  batchDriver?: boolean;
  /** Also run the alert evaluator (off by default). */
  alerts?: boolean;
  workerOptions?: Partial<WorkerOptions>;
  /** The api takes its workers' replies in process, as `switchyard all` does (packages/queue/src/local-replies.ts). */
  localReplies?: boolean;
};

/**
 * The whole system in this process against real Redis (unique prefix; a Redis Cluster when
 * the overrides give `redis.clusterNodes`) and a fresh real Postgres database. The environment is NOT read, so a developer's provider keys never
 * leak into tests: everything comes from `overrides`.
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const redis = await testRedis();
  const prefix = uniquePrefix();
  const testDatabase = await createTestDatabase();
  const base: Overrides = {
    redis: { url: redis.url, prefix },
    database: { url: testDatabase.url },
    adminKey,
    server: { port: 0, host: '127.0.0.1' },
  };
  let overrides = options.overrides ?? {};
  const liveConfig = createLiveConfig(() => loadConfig({ env: {}, overrides: mergeOverrides(base, overrides) }));
  const config = liveConfig.current();
  const database = await createDb({ url: testDatabase.url });
  await migrateToLatest(database.db);
  const logger = createSilentLogger();
  const configBus = await startConfigReloadBus({ config: liveConfig, redis: config.redis, prefix, kind: 'all', logger });

  const createTenant = async (name: string) => {
    const org = await createOrg(database.db, { name });
    const key = await createApiKey(database.db, { orgId: org.id, name: `${name} key` });
    return { orgId: org.id, apiKey: key.key };
  };
  const tenant = await createTenant('org-a');
  const started: RunningWorkers[] = [];
  const launchWorkers = async (workerOptions: Partial<WorkerOptions> = {}) => {
    const workers = await startWorkers({ config: liveConfig, logger, providers: 'all', ...options.workerOptions, ...workerOptions });
    started.push(workers);
    return workers;
  };
  const workers = options.workers === false ? undefined : await launchWorkers();
  const ledgerRedis = createRedis(config.redis, { role: 'blocking', name: 'ledger' });
  const ledger = options.ledger === false ? undefined : await startLedger({ redis: ledgerRedis, db: database.db, logger, prefix, blockMs: 200 });
  const webhooks = options.webhooks ? await startWebhooks({ config: liveConfig, db: database.db, logger }) : undefined;
  const driverRedis = createRedis(config.redis, { role: 'blocking', name: 'batch-driver' });
  const batchDriver =
    options.ledger === false || options.batchDriver === false
      ? undefined
      : await startBatchDriver({ db: database.db, redis: driverRedis, config: liveConfig, logger });
  const alertsRedis = options.alerts ? createRedis(config.redis, { role: 'producer', name: 'alerts' }) : undefined;
  const alerts = alertsRedis ? await startAlerts({ config, db: database.db, redis: alertsRedis, logger }) : undefined;
  const api = await startApi({
    config: liveConfig,
    configBus,
    db: database.db,
    logger,
    port: 0,
    host: '127.0.0.1',
    localReplies: options.localReplies ?? false,
  });

  return {
    url: api.url,
    config,
    liveConfig,
    setOverrides: (next) => {
      overrides = next;
    },
    database,
    testDatabase,
    prefix,
    redisUrl: redis.url,
    api,
    workers,
    ledger,
    webhooks,
    batchDriver,
    alerts,
    ...tenant,
    createTenant,
    startWorkers: launchWorkers,
    async stop() {
      await api.stop({ graceMs: 1000 });
      await batchDriver?.stop();
      await driverRedis.quit().catch(() => driverRedis.disconnect());
      await Promise.all(started.map((running) => running.stop()));
      await ledger?.stop();
      await webhooks?.stop();
      await alerts?.stop();
      await alertsRedis?.quit().catch(() => alertsRedis.disconnect());
      await ledgerRedis.quit().catch(() => ledgerRedis.disconnect());
      await configBus.close();
      await database.close();
      await testDatabase.drop();
      await deletePrefix(config.redis, prefix);
    },
  };
}

export function mergeOverrides(base: Overrides, extra: Overrides): Overrides {
  const merged: Overrides = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = merged[key];
    merged[key] =
      current && typeof current === 'object' && !Array.isArray(current) && value && typeof value === 'object' && !Array.isArray(value)
        ? mergeOverrides(current as Overrides, value as Overrides)
        : value;
  }
  return merged;
}
