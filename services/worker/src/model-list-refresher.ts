// Fetches a provider's own model list when the api asks (GET/POST /v1/providers/{name}/models):
// workers are the processes that hold the adapters and the provider keys, so the api never
// calls an upstream itself, even for this metadata call.
import type { Logger } from '@switchyard/logger';
import type { ProviderAdapter } from '@switchyard/providers';
import { claimProviderModelsRefresh, readProviderModels, releaseProviderModelsRefresh, storeProviderModels, type RedisConnection } from '@switchyard/queue';

/** A model list is small; an upstream slower than this is reported as failed. */
const listTimeoutMs = 10_000;
/** Outlasts one fetch; bounds how long a worker that died holding the claim blocks the others. */
const claimMs = listTimeoutMs + 2000;

export async function refreshProviderModels(options: {
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
  provider: string;
  adapter: ProviderAdapter;
}): Promise<void> {
  const { redis, prefix, provider } = options;
  // Every worker serving the provider hears the request; one of them answers it.
  if (!(await claimProviderModelsRefresh(redis, prefix, provider, claimMs))) return;
  try {
    await fetchAndStore(options);
  } finally {
    await releaseProviderModelsRefresh(redis, prefix, provider);
  }
}

async function fetchAndStore(options: Parameters<typeof refreshProviderModels>[0]): Promise<void> {
  const { redis, prefix, provider, adapter } = options;
  if (!adapter.listModels) {
    await storeProviderModels(redis, prefix, provider, { models: [], lastRefresh: Date.now(), listed: false });
    return;
  }
  try {
    const models = await adapter.listModels({ signal: AbortSignal.timeout(listTimeoutMs) });
    await storeProviderModels(redis, prefix, provider, { models, lastRefresh: Date.now(), listed: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.logger.warn({ provider, reason: message }, 'could not fetch the provider model list');
    const previous = await readProviderModels(redis, prefix, provider);
    await storeProviderModels(redis, prefix, provider, { models: previous?.models ?? [], lastRefresh: Date.now(), listed: true, error: message });
  }
}
