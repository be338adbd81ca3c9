import type { RedisConnection } from './connection.ts';
import { redisScript } from './redis-script.ts';

// Locks and leases held under a key whose value names the holder: only the holder may extend
// or free one, so a holder slower than its lease never touches a later holder's.

const releaseScript = redisScript(
  'ReleaseIfHeld',
  1,
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
);

const extendScript = redisScript(
  'ExtendIfHeld',
  1,
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
);

/** Deletes `key` if `holder` still holds it; whether it did. */
export async function releaseIfHeld(redis: RedisConnection, key: string, holder: string): Promise<boolean> {
  return Number(await releaseScript.run(redis, [key], [holder])) === 1;
}

/** Gives `key` another `ttlMs` if `holder` still holds it; whether it did. */
export async function extendIfHeld(redis: RedisConnection, key: string, holder: string, ttlMs: number): Promise<boolean> {
  return Number(await extendScript.run(redis, [key], [holder, ttlMs])) === 1;
}
