import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId } from '@switchyard/core';
import { asLiveConfig, type LiveConfig, type SwitchyardConfig } from '@switchyard/config';
import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import {
  createInferenceQueues,
  createRedis,
  createRedisHealthReporter,
  createReplyBus,
  readAuthRevision,
  replyChannel,
  startConfigReloadBus,
  watchAuthRevision,
  type ConfigReloadBus,
} from '@switchyard/queue';
import { createApiGeneration, type ApiGeneration } from './api-generation.ts';
import { answerClientErrors } from './middleware/client-error.ts';
import { readOncePerTurn } from './middleware/read-once-per-turn.ts';
import type { ApiContext } from './context.ts';
import { createApiMetrics } from './metrics.ts';
import { createServerDrain } from './server-drain.ts';
import { createProcessRegistry, type MetricsSnapshot } from '@switchyard/observability';
import type { Registry } from 'prom-client';

export type RunningApi = {
  url: string;
  port: number;
  server: Server;
  /** The context of the config now serving (a reload replaces it). */
  readonly context: ApiContext;
  /**
   * The graceful drain (server-drain.ts): stop listening at once, serve what is held and what
   * still arrives on kept-alive connections (with `Connection: close`) for up to `graceMs`
   * (default `server.drainTimeoutMs`), cut the rest, then close the connections to Redis.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
};

export type ApiOptions = {
  /** A LiveConfig follows reloads; a plain config serves as it is. */
  config: SwitchyardConfig | LiveConfig;
  /** The process's reload bus (`all` shares one); the api starts its own otherwise. */
  configBus?: ConfigReloadBus;
  db: Kysely<Database>;
  logger: Logger;
  port?: number;
  host?: string;
  /** The process registry (`all` passes the one its other services share); a new one otherwise. */
  registry?: Registry;
  /** The metrics of the process's other registries (`all`'s worker threads), merged into GET /metrics. */
  moreMetrics?: () => Promise<MetricsSnapshot[]>;
  /** Take replies from workers of this thread without Redis pub/sub (`all`, when its workers run on the main thread). */
  localReplies?: boolean;
};

/** How long a retired generation may keep its breakers and samplers for requests it still holds, beyond the sync timeout. */
const retiredGraceBeyondSyncTimeoutMs = 60_000;

export async function startApi(options: ApiOptions): Promise<RunningApi> {
  const { db, logger } = options;
  const liveConfig = asLiveConfig(options.config);
  // Connections, listeners and the reply channel are made once, with the settings a reload cannot move.
  const config = liveConfig.current();
  const instanceId = newId('api', 12);
  // One clear line when Redis is unreachable, not one stack trace per reconnect attempt.
  const redisHealth = createRedisHealthReporter({ redis: config.redis, logger, service: 'api' });
  const redis = redisHealth.watch(createRedis(config.redis, { role: 'producer', name: 'api' }), 'commands');
  const subscriber = redisHealth.watch(createRedis(config.redis, { role: 'subscriber', name: 'api-replies' }), 'replies');
  const queues = createInferenceQueues({ connection: redis, prefix: config.redis.prefix });
  const replyBus = await createReplyBus({
    subscriber,
    commands: redis,
    channel: replyChannel(config.redis.prefix, instanceId),
    onError: (error) => logger.warn({ err: error }, 'reply bus error'),
    ...(options.localReplies ? { localReplies: true } : {}),
  });
  // Requests check the revocation counter in memory; it is read from Redis only while the watch is not live.
  const authRevision = await watchAuthRevision({
    subscriber,
    commands: redis,
    prefix: config.redis.prefix,
    read: readOncePerTurn(() => readAuthRevision(redis, config.redis.prefix)),
    onError: (error) => logger.debug({ err: error }, 'auth revision watch error'),
  });
  const ownBus = options.configBus
    ? undefined
    : await startConfigReloadBus({ config: liveConfig, redis: config.redis, prefix: config.redis.prefix, kind: 'api', logger });
  const configBus = options.configBus ?? ownBus!;
  const metrics = createApiMetrics(options.registry ?? createProcessRegistry(), { moreMetrics: options.moreMetrics });
  const server = createServer();
  // GET /ready reads it to answer 503 while the process drains.
  const drain = createServerDrain(server);
  const shared = { logger, redis, queues, replyBus, authRevision: authRevision.current, db, metrics, liveConfig, configBus, draining: () => drain.draining };

  // Each request goes to the generation current when it arrives and finishes there.
  let current: ApiGeneration = createApiGeneration(shared, config);
  const retiring = new Set<Promise<void>>();
  const stopFollowing = liveConfig.onChange((next, previous) => {
    const retired = current;
    try {
      current = createApiGeneration(shared, next);
    } catch (error) {
      logger.error({ err: error }, 'could not build the api on the reloaded config; the previous one keeps serving');
      return;
    }
    const done = retired.retire(previous.server.syncTimeoutMs + retiredGraceBeyondSyncTimeoutMs).finally(() => retiring.delete(done));
    retiring.add(done);
  });

  server.on('request', (request, response) => {
    drain.track(request, response);
    current.handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.server.port, options.host ?? config.server.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  answerClientErrors(server);
  // LLM answers take long; do not let Node's defaults cut them off.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  const address = server.address() as AddressInfo;
  const port = address.port;
  const allInterfaces = address.address === '0.0.0.0' || address.address === '::';
  const url = `http://${allInterfaces ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address}:${port}`;
  // Say what is really bound: all interfaces is reachable from the network, not only here.
  logger.info(
    { url, host: address.address, port, instanceId },
    allInterfaces ? `api listening on all interfaces (${address.address} port ${port}); locally ${url}` : `api listening on ${url} (this address only)`,
  );

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    server,
    get context() {
      return current.context;
    },
    stop({ graceMs = liveConfig.current().server.drainTimeoutMs } = {}) {
      // A second call (a signal, then a test's cleanup) waits for the first.
      stopping ??= (async () => {
        stopFollowing();
        logger.info({ timeoutMs: graceMs }, 'api draining: refusing new connections, serving the requests it holds');
        const outcome = await drain.drain(graceMs);
        if (outcome.cut > 0) logger.warn(outcome, `api drain timed out after ${graceMs} ms: ${outcome.cut} requests cut`);
        else logger.info(outcome, 'api drained: every request answered');
        await Promise.all([current.retire(0), ...retiring]);
        await ownBus?.close();
        await authRevision.close();
        await replyBus.close();
        await queues.close();
        subscriber.disconnect();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return stopping;
    },
  };
}
