import type { SwitchyardConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import { type createProcessRegistry, serveMetrics } from '@switchyard/observability';

type ProcessRegistry = ReturnType<typeof createProcessRegistry>;

/**
 * GET /metrics of a `worker`, `ledger` or `webhooks` process: its registry on `--metrics-port`
 * (`port`) or METRICS_PORT, behind SWITCHYARD_METRICS_KEY when set. Neither port set: not
 * served. Resolves to the server's stop, which the process runs last, so a drain is scraped too.
 */
export async function serveProcessMetrics(options: {
  config: SwitchyardConfig;
  registry: ProcessRegistry;
  logger: Logger;
  port?: number;
}): Promise<() => Promise<void>> {
  const port = options.port ?? options.config.server.metricsPort;
  if (port === undefined) return async () => {};
  const server = await serveMetrics({ registry: options.registry, port, metricsKey: options.config.server.metricsKey, logger: options.logger });
  return () => server.stop();
}
