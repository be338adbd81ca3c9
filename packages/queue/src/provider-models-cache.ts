import type { RedisConnection } from './connection.ts';
import { providerModelsKey, providerModelsRefreshChannel, providerModelsRefreshLockKey } from './names.ts';

/**
 * A provider's upstream model list as a worker last fetched it (epoch ms). `listed` is false
 * for a provider whose API has no list; `error` says why the last fetch failed (the models
 * of the fetch before it are kept).
 */
export type CachedProviderModels = {
  models: { id: string; ownedBy?: string; created?: number }[];
  lastRefresh: number;
  listed: boolean;
  error?: string;
};

/** Kept a day: the list changes rarely and an admin refresh replaces it at once. */
const retentionSeconds = 24 * 3600;

export async function storeProviderModels(redis: RedisConnection, prefix: string, provider: string, entry: CachedProviderModels): Promise<void> {
  await redis.set(providerModelsKey(prefix, provider), JSON.stringify(entry), 'EX', retentionSeconds);
}

export async function readProviderModels(redis: RedisConnection, prefix: string, provider: string): Promise<CachedProviderModels | undefined> {
  const text = await redis.get(providerModelsKey(prefix, provider));
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as CachedProviderModels;
  } catch {
    return undefined;
  }
}

/** Asks the workers serving `provider` to fetch its list now; resolves with how many processes heard it. */
export async function requestProviderModelsRefresh(redis: RedisConnection, prefix: string, provider: string): Promise<number> {
  return redis.publish(providerModelsRefreshChannel(prefix), provider);
}

/**
 * True for the one worker that may fetch `provider`'s list now (the others heard the same
 * request); released when it is stored, or after `holdMs` if that worker died.
 */
export async function claimProviderModelsRefresh(redis: RedisConnection, prefix: string, provider: string, holdMs: number): Promise<boolean> {
  return (await redis.set(providerModelsRefreshLockKey(prefix, provider), '1', 'PX', holdMs, 'NX')) === 'OK';
}

export async function releaseProviderModelsRefresh(redis: RedisConnection, prefix: string, provider: string): Promise<void> {
  await redis.del(providerModelsRefreshLockKey(prefix, provider));
}
