import { Redis, type RedisOptions } from 'ioredis';

/** Reconnect delays: quick at first, then every 5 s at most, so an outage is not a busy loop. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(5000, 100 * 2 ** Math.min(Math.max(attempt - 1, 0), 6));
}

/**
 * A Redis connection. Workers and subscribers must never give up on a request
 * (`maxRetriesPerRequest: null`, as BullMQ requires for blocking commands); producers in
 * the api fail fast instead so a Redis outage becomes a clear 503, not a hung request.
 */
export function createRedis(url: string, options: { role: 'blocking' | 'producer' | 'subscriber'; name?: string; extra?: RedisOptions }): Redis {
  const redisOptions: RedisOptions = {
    maxRetriesPerRequest: options.role === 'producer' ? 2 : null,
    enableReadyCheck: true,
    retryStrategy: reconnectDelayMs,
    ...options.extra,
  };
  if (options.name) redisOptions.connectionName = `switchyard-${options.name}`;
  return new Redis(url, redisOptions);
}

/** The URL as it may appear in logs: any password replaced. */
export function redisUrlForLogs(url: string): string {
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

/**
 * Error reporting shared by a process's Redis connections: ioredis emits an error on every
 * failed reconnect, so an outage is reported ONCE (which URL, what to do), reconnects go
 * on quietly, and the return of Redis is reported once too. Other errors are one line each,
 * without a stack trace.
 */
export function createRedisHealthReporter(options: { url: string; logger: HealthLogger; service: string }) {
  const safeUrl = redisUrlForLogs(options.url);
  let down = false;
  const watch = (connection: Redis, role: string): Redis => {
    connection.on('error', (error: Error & { code?: string }) => {
      if (error.code && connectionErrorCodes.has(error.code)) {
        if (down) return;
        down = true;
        options.logger.fatal(
          { redis: safeUrl, code: error.code, connection: role },
          `${options.service} cannot reach Redis at ${safeUrl} (${error.code}): start Redis there or point REDIS_URL at a running one; retrying quietly with backoff (every 5 s at most)`,
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
  const isConnectionError = (error: Error & { code?: string }): boolean =>
    (error.code !== undefined && connectionErrorCodes.has(error.code)) || (down && /Connection is closed|ECONNREFUSED/.test(error.message));
  return {
    watch,
    isConnectionError,
    get down() {
      return down;
    },
  };
}

/** Resolves when Redis answers PING within `timeoutMs`, false otherwise. */
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
