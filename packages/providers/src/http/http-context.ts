import type { Dispatcher } from 'undici';
import type { ProviderSettings } from '../provider-settings.ts';
import type { ErrorContext } from '../errors/status-error.ts';
import type { ProviderDependencies } from '../types.ts';
import { createUpstreamAgent } from './upstream-agent.ts';

export const defaultMaxResponseBytes = 32 * 1024 * 1024;

/** What every HTTP adapter needs to make a call and report its failures. */
export type HttpContext = ErrorContext & {
  dispatcher: Dispatcher;
  timeoutMs: number;
};

export function createHttpContext(config: ProviderSettings, dependencies: ProviderDependencies = {}): HttpContext {
  const secrets = [config.apiKey, ...Object.values(config.headers)].filter((value): value is string => value !== undefined);
  return {
    provider: config.name,
    secrets,
    dispatcher: dependencies.dispatcher ?? createUpstreamAgent(config),
    timeoutMs: config.timeoutMs,
    maxResponseBytes: config.maxResponseBytes ?? defaultMaxResponseBytes,
  };
}

/** The configured base URL without a trailing slash, or the preset's default. */
export function baseUrlOf(config: ProviderSettings, fallback?: string): string {
  const baseUrl = config.baseUrl ?? fallback;
  if (!baseUrl) throw new Error(`provider ${config.name}: baseUrl is required`);
  return baseUrl.replace(/\/+$/, '');
}
