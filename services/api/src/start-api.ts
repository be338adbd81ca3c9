import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import { createCircuitBreakers, createInferenceQueues, createRedis, createRedisHealthReporter, createReplyBus, replyChannel } from '@switchyard/queue';
import { enabledProviders, routesFor } from '@switchyard/config';
import { createAdmission } from './admission/admission.ts';
import { createBackpressure } from './inference/backpressure.ts';
import { createApp } from './create-app.ts';
import { answerClientErrors } from './middleware/client-error.ts';
import type { ApiContext } from './context.ts';
import { createApiMetrics } from './metrics.ts';
import { createProcessRegistry } from '@switchyard/observability';
import type { Registry } from 'prom-client';

export type RunningApi = {
  url: string;
  port: number;
  server: Server;
  context: ApiContext;
  /** Stop accepting, let in-flight requests finish (up to `graceMs`), close connections. */
  stop(options?: { graceMs?: number }): Promise<void>;
};

export type ApiOptions = {
  config: SwitchyardConfig;
  db: Kysely<Database>;
  logger: Logger;
  port?: number;
  host?: string;
  /** The process registry (`all` passes the one its other services share); a new one otherwise. */
  registry?: Registry;
};

export async function startApi(options: ApiOptions): Promise<RunningApi> {
  const { config, db, logger } = options;
  const instanceId = newId('api', 12);
  // One clear line when Redis is unreachable, not one stack trace per reconnect attempt.
  const redisHealth = createRedisHealthReporter({ url: config.redis.url, logger, service: 'api' });
  const redis = redisHealth.watch(createRedis(config.redis.url, { role: 'producer', name: 'api' }), 'commands');
  const subscriber = redisHealth.watch(createRedis(config.redis.url, { role: 'subscriber', name: 'api-replies' }), 'replies');
  const queues = createInferenceQueues({ connection: redis, prefix: config.redis.prefix });
  const replyBus = await createReplyBus({
    subscriber,
    commands: redis,
    channel: replyChannel(config.redis.prefix, instanceId),
    onError: (error) => logger.warn({ err: error }, 'reply bus error'),
  });
  const breakers = createCircuitBreakers({
    redis,
    prefix: config.redis.prefix,
    settings: Object.fromEntries(enabledProviders(config).map((provider) => [provider.name, provider.breaker])),
    deployments: Object.values(config.models).flatMap((model) => routesFor(config, model)),
  });
  void breakers.refresh().catch(() => {});
  const backpressure = createBackpressure({ config, queues, logger });
  const admission = createAdmission({ config, redis, db, logger });
  const metrics = createApiMetrics(options.registry ?? createProcessRegistry());
  const context: ApiContext = { config, logger, redis, queues, replyBus, db, breakers, backpressure, admission, metrics };
  const app = createApp(context);

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port ?? config.server.port, options.host ?? config.server.host, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
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

  return {
    url,
    port,
    server,
    context,
    async stop({ graceMs = 10_000 } = {}) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      breakers.close();
      backpressure.close();
      await replyBus.close();
      await queues.close();
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
