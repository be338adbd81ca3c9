import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection. Workers and subscribers must never give up on a request
 * (`maxRetriesPerRequest: null`, as BullMQ requires for blocking commands); producers in
 * the api fail fast instead so a Redis outage becomes a clear 503, not a hung request.
 */
export function createRedis(url: string, options: { role: 'blocking' | 'producer' | 'subscriber'; name?: string; extra?: RedisOptions }): Redis {
  const redisOptions: RedisOptions = {
    maxRetriesPerRequest: options.role === 'producer' ? 2 : null,
    enableReadyCheck: true,
    ...options.extra,
  };
  if (options.name) redisOptions.connectionName = `switchyard-${options.name}`;
  return new Redis(url, redisOptions);
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
