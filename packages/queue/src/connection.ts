import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { coalesceWrites } from './coalesced-writes.ts';

/**
 * A connection to a single Redis or to a Redis Cluster. Everything that talks to Redis takes
 * this type; the few places that must act differently on a cluster ask `isCluster`.
 */
export type RedisConnection = Redis | Cluster;

/**
 * Where Redis is: a URL, or the `redis` config section (`clusterNodes` set: a Redis Cluster
 * reached through those seed nodes, and `url` ignored).
 */
export type RedisTarget = string | { url: string; clusterNodes?: readonly string[] | undefined };

type RedisRole = 'blocking' | 'producer' | 'subscriber';

export const isCluster = (connection: RedisConnection): connection is Cluster => connection instanceof Cluster;

/** Reconnect delays: quick at first, then every 5 s at most, so an outage is not a busy loop. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(5000, 100 * 2 ** Math.min(Math.max(attempt - 1, 0), 6));
}

/** The seed nodes of a cluster target, or undefined for a single Redis. */
function clusterNodesOf(target: RedisTarget): readonly string[] | undefined {
  return typeof target === 'string' || !target.clusterNodes?.length ? undefined : target.clusterNodes;
}

/** `host:port` -> ioredis' node form. */
function seedNode(node: string): { host: string; port: number } {
  const colon = node.lastIndexOf(':');
  return { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) };
}

/**
 * A Redis connection. Workers and subscribers must never give up on a request
 * (`maxRetriesPerRequest: null`, as BullMQ requires for blocking commands); producers in
 * the api fail fast instead so a Redis outage becomes a clear 503, not a hung request.
 * On a cluster the same options apply to every node connection, and the cluster's own
 * reconnects use the same backoff.
 */
export function createRedis(target: RedisTarget, options: { role: RedisRole; name?: string; extra?: RedisOptions }): RedisConnection {
  const redisOptions: RedisOptions = {
    maxRetriesPerRequest: options.role === 'producer' ? 2 : null,
    enableReadyCheck: true,
    retryStrategy: reconnectDelayMs,
    ...options.extra,
  };
  if (options.name) redisOptions.connectionName = `switchyard-${options.name}`;
  const nodes = clusterNodesOf(target);
  // A subscriber sends next to nothing; every other connection's writes leave once per turn.
  const coalesced = <Connection extends RedisConnection>(connection: Connection) => {
    if (options.role !== 'subscriber') coalesceWrites(connection);
    return connection;
  };
  if (!nodes) return coalesced(new Redis(typeof target === 'string' ? target : target.url, redisOptions));
  // Reconnecting is the cluster's business: its own strategy (the caller's, when it gave one).
  const { retryStrategy, lazyConnect, ...nodeOptions } = redisOptions;
  const clusterOptions: ClusterOptions = {
    redisOptions: nodeOptions,
    enableReadyCheck: true,
    clusterRetryStrategy: retryStrategy ?? null,
    // A node that restarts with its slots is reconnected to, not only found again on the next MOVED.
    clusterNodeRetryStrategy: retryStrategy ?? null,
    ...(lazyConnect ? { lazyConnect } : {}),
    // Subscribers take sharded channels (SSUBSCRIBE, the api's reply channel) as well as classic ones.
    ...(options.role === 'subscriber' ? { shardedSubscribers: true } : {}),
  };
  return coalesced(new Cluster(nodes.map(seedNode), clusterOptions));
}

/** Where Redis is, as it may appear in logs: a URL with its password replaced, or the cluster's seed nodes. */
export function redisTargetForLogs(target: RedisTarget): string {
  const nodes = clusterNodesOf(target);
  if (nodes) return `cluster ${nodes.join(',')}`;
  return redisUrlForLogs(typeof target === 'string' ? target : target.url);
}

/** The URL as it may appear in logs: any password replaced. */
function redisUrlForLogs(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'an unparsable REDIS_URL';
  }
}

type HealthLogger = {
  fatal(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
};

const connectionErrorCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);

type ConnectionError = Error & { code?: string; lastNodeError?: Error & { code?: string } };

/**
 * What keeps Redis out of reach, for the log line, or undefined for any other error. A
 * cluster none of whose nodes answers says so with its own error (ClusterAllFailedError),
 * holding the last node's.
 */
function connectionErrorCode(error: ConnectionError): string | undefined {
  if (error.code && connectionErrorCodes.has(error.code)) return error.code;
  if (error.name !== 'ClusterAllFailedError') return undefined;
  const nodeCode = error.lastNodeError?.code;
  return nodeCode && connectionErrorCodes.has(nodeCode) ? nodeCode : 'no node answered';
}

/**
 * Error reporting shared by a process's Redis connections: ioredis emits an error on every
 * failed reconnect, so an outage is reported ONCE (which URL, what to do), reconnects go
 * on quietly, and the return of Redis is reported once too. Other errors are one line each,
 * without a stack trace.
 */
export function createRedisHealthReporter(options: { redis: RedisTarget; logger: HealthLogger; service: string }) {
  const safeUrl = redisTargetForLogs(options.redis);
  const setting = clusterNodesOf(options.redis) ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL';
  let down = false;
  const watch = <Connection extends RedisConnection>(connection: Connection, role: string): Connection => {
    connection.on('error', (error: ConnectionError) => {
      const code = connectionErrorCode(error);
      if (code) {
        if (down) return;
        down = true;
        options.logger.fatal(
          { redis: safeUrl, code, connection: role },
          `${options.service} cannot reach Redis at ${safeUrl} (${code}): start Redis there or point ${setting} at a running one; retrying quietly with backoff (every 5 s at most)`,
        );
        return;
      }
      options.logger.warn({ redis: safeUrl, connection: role, error: error.message }, `Redis error on the ${role} connection`);
    });
    connection.on('ready', () => {
      if (!down) return;
      down = false;
      options.logger.info({ redis: safeUrl, connection: role }, `${options.service} reached Redis at ${safeUrl} again`);
    });
    return connection;
  };
  /** Connection trouble this reporter already tells about (BullMQ re-emits it on its workers). */
  const isConnectionError = (error: ConnectionError): boolean =>
    connectionErrorCode(error) !== undefined || (down && /Connection is closed|ECONNREFUSED/.test(error.message));
  return {
    watch,
    isConnectionError,
    get down() {
      return down;
    },
  };
}

/** Resolves when the Redis at `url` answers PING within `timeoutMs`, false otherwise. */
export async function redisReachable(url: string, timeoutMs = 1000): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
