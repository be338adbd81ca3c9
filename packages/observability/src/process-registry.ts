import { collectDefaultMetrics, Registry } from 'prom-client';

export type ProcessRegistryOptions = {
  /** Node's process metrics; off in a worker thread of `all` (see below). Default on. */
  processMetrics?: boolean;
  /** Labels on every series of this registry (`{ thread: 'worker-1' }` in a worker thread of `all`). */
  labels?: Record<string, string>;
};

/**
 * The one metrics registry of a process, with Node's process metrics (`switchyard_process_*`,
 * `switchyard_nodejs_*`). Every service of the process registers on it; in `all`, api,
 * ledger and webhooks share one, served on the api's port. A worker thread of `all` makes
 * its own, labelled with the thread, without the process metrics: CPU, memory and handles
 * are the whole process's, already reported by the main thread, and would count twice once
 * the threads' registries are merged into the api's /metrics.
 */
export function createProcessRegistry(options: ProcessRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels(options.labels);
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'switchyard_' });
  return registry;
}
