import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisReachable } from '@switchyard/queue';

export type TestRedis = { url: string; stop(): Promise<void> };

let shared: Promise<TestRedis> | undefined;

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * A real Redis for tests: REDIS_URL (default 127.0.0.1:6379), else a testcontainers Redis
 * when a Docker engine is there, else a clear failure. Never a mock.
 */
export function testRedis(): Promise<TestRedis> {
  shared ??= (async () => {
    const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
    if (await redisReachable(url, 2000)) return { url, stop: async () => {} };
    if (await dockerAvailable()) {
      const { GenericContainer } = await import('testcontainers');
      const container = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
      return { url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`, stop: async () => void (await container.stop()) };
    }
    throw new Error(`Redis is not reachable at ${url} and no Docker engine is available: start Redis or set REDIS_URL`);
  })();
  return shared;
}

/** A key prefix no other test run uses, so runs never see each other's queues. */
export function uniquePrefix(label = 'test'): string {
  return `sy${label}${randomBytes(5).toString('hex')}`;
}

/** Deletes every key under a prefix (end of a test file). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
