import type { RedisConnection } from './connection.ts';
import { authRevisionKey } from './names.ts';

/**
 * A counter every api reads per authenticated request: revoking a key (or changing an
 * org's limits) bumps it, so cached principals from before the change are ignored by
 * every api process at once, not when their cache entry expires.
 */

export async function bumpAuthRevision(redis: RedisConnection, prefix: string): Promise<void> {
  await redis.incr(authRevisionKey(prefix));
}

/** '0' until the first revocation. */
export async function readAuthRevision(redis: RedisConnection, prefix: string): Promise<string> {
  return (await redis.get(authRevisionKey(prefix))) ?? '0';
}
