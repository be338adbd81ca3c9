import { createLiveConfig, loadConfig, type LiveConfig, type LoadConfigOptions } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import { startConfigReloadBus, type ConfigReloadBus } from '@switchyard/queue';

export type ProcessConfig = { live: LiveConfig; bus: ConfigReloadBus };

/**
 * The config of one `switchyard` process, live: loaded from its own file and environment
 * (plus what the command fixed at start, such as `all`'s embedded Redis), reloaded on SIGHUP
 * or when another process announces a reload on Redis. The outcome is logged either way,
 * naming the bad keys of a refused file; the config itself never is. A worker thread of `all`
 * follows the bus only (`sighup: false`): signals reach the main thread, whose reload the bus
 * announces to the threads as to any other process.
 */
export async function followConfig(
  logger: Logger,
  kind: string,
  options: Pick<LoadConfigOptions, 'overrides'> & { sighup?: boolean } = {},
): Promise<ProcessConfig> {
  const live = createLiveConfig(() => loadConfig({ overrides: options.overrides }));
  const { redis } = live.current();
  const bus = await startConfigReloadBus({ config: live, redis, prefix: redis.prefix, kind, logger });
  if (options.sighup ?? true)
    process.on('SIGHUP', () => {
      logger.info({ signal: 'SIGHUP' }, 'reloading the config');
      void bus.reload('signal').catch((error: unknown) => logger.error({ err: error }, 'config reload failed'));
    });
  return { live, bus };
}
