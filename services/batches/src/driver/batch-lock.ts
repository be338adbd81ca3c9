import { randomBytes } from 'node:crypto';
import { batchLockKey, extendIfHeld, releaseIfHeld } from '@switchyard/queue';
import type { RedisConnection } from '@switchyard/queue';

export type BatchLock = {
  /** Keeps the lock another `ttlMs`; false when it was lost (expired and taken). */
  extend(): Promise<boolean>;
  release(): Promise<void>;
};

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
    extend: () => extendIfHeld(redis, key, token, ttlMs),
    release: async () => void (await releaseIfHeld(redis, key, token)),
  };
}
