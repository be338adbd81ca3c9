import { Agent } from 'undici';

/**
 * One keep-alive connection pool per adapter. undici's own header and body timeouts are
 * off: the call signal's idle timer already bounds every wait, and a second clock would
 * report the same stall as a different error. No connection limit: the worker's
 * concurrency already bounds how many calls are in flight.
 */
export function createUpstreamAgent(): Agent {
  return new Agent({ headersTimeout: 0, bodyTimeout: 0 });
}
