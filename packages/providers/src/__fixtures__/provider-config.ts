import type { ProviderConfig } from '@switchyard/config';

/** A provider config with the schema's defaults, for tests. */
export function providerConfig(overrides: Partial<ProviderConfig> & Pick<ProviderConfig, 'name' | 'kind'>): ProviderConfig {
  return {
    requiresApiKey: true,
    concurrency: 8,
    requestsPerMinute: 0,
    maxQueueDepth: 100,
    timeoutMs: 5_000,
    attempts: 1,
    headers: {},
    options: {},
    breaker: { failureThreshold: 5, windowMs: 30_000, openMs: 15_000, halfOpenProbes: 1, successesToClose: 1 },
    ...overrides,
  };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export const signal = (): AbortSignal => new AbortController().signal;
