import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis, isCluster, redisReachable, type RedisTarget } from '@switchyard/queue';

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

/** Deletes every key under a prefix (end of a test file), on every master of a cluster. */
export async function deletePrefix(target: RedisTarget, prefix: string): Promise<void> {
  const redis = createRedis(target, { role: 'producer', name: 'test-cleanup', extra: { maxRetriesPerRequest: 1 } });
  try {
    // A cluster knows its masters once it answered a first command.
    const nodes = isCluster(redis) ? await redis.ping().then(() => redis.nodes('master')) : [redis];
    await Promise.all(nodes.map((node) => deleteOnNode(node, prefix)));
  } finally {
    redis.disconnect();
  }
}

/** One node's keys: SCAN sees only its own, and a cluster node takes UNLINK of one slot at a time, so one key each. */
async function deleteOnNode(node: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await Promise.all(keys.map((key) => node.unlink(key)));
  } while (cursor !== '0');
}
