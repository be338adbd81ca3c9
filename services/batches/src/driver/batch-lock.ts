import { randomBytes } from 'node:crypto';
import { batchLockKey } from '@switchyard/queue';
import type { RedisConnection } from '@switchyard/queue';

export type BatchLock = {
  /** Keeps the lock another `ttlMs`; false when it was lost (expired and taken). */
  extend(): Promise<boolean>;
  release(): Promise<void>;
};

const extendScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One driver at a time works on a batch (across every ledger process). The lock lapses on
 * its own when its holder dies, so a killed driver's batch is picked up within `ttlMs`.
 * Correctness does not rest on it (every step is idempotent); it avoids doing work twice.
 */
export async function tryLockBatch(redis: RedisConnection, prefix: string, batchId: string, ttlMs: number): Promise<BatchLock | undefined> {
  const key = batchLockKey(prefix, batchId);
  const token = randomBytes(12).toString('hex');
  const taken = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return undefined;
  return {
    extend: async () => (await redis.eval(extendScript, 1, key, token, String(ttlMs))) === 1,
    release: async () => void (await redis.eval(releaseScript, 1, key, token)),
  };
}
