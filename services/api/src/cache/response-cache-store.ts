// The response cache in Redis: one JSON entry per digest with its TTL, and a short lock a
// miss holds while it asks upstream, so identical misses wait for its entry instead of
// each calling the provider. Every command touches one key.
import { randomUUID } from 'node:crypto';
import { releaseIfHeld, responseCacheEntryKey, responseCacheLockKey, type RedisConnection } from '@switchyard/queue';

/** What a hit answers with: the endpoint's 200 body and who produced it. */
export type CachedAnswer = { output: unknown; provider?: string; model?: string; storedAt: number };

export type ResponseCacheStore = {
  read(digest: string): Promise<CachedAnswer | undefined>;
  /** False when the answer is over the size cap (nothing is stored). */
  write(digest: string, answer: CachedAnswer, ttlSeconds: number): Promise<boolean>;
  /** A release function when this caller now holds the digest's miss lock, else undefined. */
  lock(digest: string): Promise<(() => Promise<void>) | undefined>;
  isLocked(digest: string): Promise<boolean>;
};

export function createResponseCacheStore(options: { redis: RedisConnection; prefix: string; maxEntryBytes: number; lockMs: number }): ResponseCacheStore {
  const { redis, prefix } = options;
  return {
    async read(digest) {
      const stored = await redis.get(responseCacheEntryKey(prefix, digest));
      if (stored === null) return undefined;
      try {
        return JSON.parse(stored) as CachedAnswer;
      } catch {
        return undefined;
      }
    },
    async write(digest, answer, ttlSeconds) {
      const text = JSON.stringify(answer);
      if (Buffer.byteLength(text) > options.maxEntryBytes) return false;
      await redis.set(responseCacheEntryKey(prefix, digest), text, 'EX', ttlSeconds);
      return true;
    },
    async lock(digest) {
      const key = responseCacheLockKey(prefix, digest);
      const token = randomUUID();
      const taken = await redis.set(key, token, 'PX', options.lockMs, 'NX');
      if (taken !== 'OK') return undefined;
      return async () => {
        // Only while it is still ours: a leader slower than the lock must not free a later holder's.
        await releaseIfHeld(redis, key, token);
      };
    },
    async isLocked(digest) {
      return (await redis.exists(responseCacheLockKey(prefix, digest))) === 1;
    },
  };
}
