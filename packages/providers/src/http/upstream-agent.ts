import { Agent } from 'undici';
import type { ProviderSettings } from '../provider-settings.ts';

/**
 * The pool settings of one provider's agent. undici's own header and body timeouts are
 * off: the call signal's idle timer already bounds every wait, and a second clock would
 * report the same stall as a different error. No connection limit unless the provider
 * sets `maxConnections`: the worker's concurrency already bounds how many calls are in flight.
 */
export function upstreamAgentOptions(settings: Pick<ProviderSettings, 'maxConnections' | 'keepAliveTimeoutMs'>): Agent.Options {
  return {
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(settings.maxConnections === undefined ? {} : { connections: settings.maxConnections }),
    ...(settings.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: settings.keepAliveTimeoutMs }),
  };
}

/** One keep-alive connection pool per adapter, sized by the provider's settings. */
export function createUpstreamAgent(settings: Pick<ProviderSettings, 'maxConnections' | 'keepAliveTimeoutMs'> = {}): Agent {
  return new Agent(upstreamAgentOptions(settings));
}
