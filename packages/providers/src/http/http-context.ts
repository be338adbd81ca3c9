import type { ProviderConfig } from '@switchyard/config';
import type { ErrorContext } from '../errors/status-error.ts';
import type { ProviderDependencies } from '../types.ts';

/** What every HTTP adapter needs to make a call and report its failures. */
export type HttpContext = ErrorContext & {
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
};

export function createHttpContext(config: ProviderConfig, dependencies: ProviderDependencies = {}): HttpContext {
  const secrets = [config.apiKey, ...Object.values(config.headers)].filter((value): value is string => value !== undefined);
  return {
    provider: config.name,
    secrets,
    fetch: dependencies.fetch ?? globalThis.fetch,
    timeoutMs: config.timeoutMs,
  };
}

/** The configured base URL without a trailing slash, or the preset's default. */
export function baseUrlOf(config: ProviderConfig, fallback?: string): string {
  const baseUrl = config.baseUrl ?? fallback;
  if (!baseUrl) throw new Error(`provider ${config.name}: baseUrl is required`);
  return baseUrl.replace(/\/+$/, '');
}
