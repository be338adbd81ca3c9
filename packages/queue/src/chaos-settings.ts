import type { RedisConnection } from './connection.ts';
import { chaosSettingsKey } from './names.ts';

/**
 * The operator's fault-injection switch, shared by every worker through one Redis key. The
 * value is opaque here: the api validates what it writes and the worker what it reads.
 */

export async function writeChaosOverride(redis: RedisConnection, prefix: string, settings: unknown): Promise<void> {
  await redis.set(chaosSettingsKey(prefix), JSON.stringify(settings));
}

export async function clearChaosOverride(redis: RedisConnection, prefix: string): Promise<void> {
  await redis.del(chaosSettingsKey(prefix));
}

/** Undefined when no override is set (the config's `chaos` applies) or the stored value is not JSON. */
export async function readChaosOverride(redis: RedisConnection, prefix: string): Promise<unknown> {
  const text = await redis.get(chaosSettingsKey(prefix));
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
