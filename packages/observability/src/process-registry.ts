import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The one metrics registry of a process, with Node's process metrics (`switchyard_process_*`,
 * `switchyard_nodejs_*`). Every service of the process registers on it; in `all`, api,
 * workers, ledger and webhooks share one, served on the api's port.
 */
export function createProcessRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchyard_' });
  return registry;
}
