import type { ProviderSettings } from '../provider-settings.ts';

/** Provider settings with test defaults. */
export function providerConfig(overrides: Partial<ProviderSettings> & Pick<ProviderSettings, 'name' | 'kind'>): ProviderSettings {
  return { timeoutMs: 5_000, headers: {}, options: {}, ...overrides };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export const signal = (): AbortSignal => new AbortController().signal;
