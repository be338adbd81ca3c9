import { randomBytes } from 'node:crypto';
import { createRedis, type RedisTarget } from './connection.ts';
import { configInstancesKey, configReloadChannel } from './names.ts';

type ReloadOutcome = { ok: true; version: string; changed: boolean; loadedAt: Date } | { ok: false; errors: string[] };

/** What the bus needs of a process's config: `LiveConfig` from @switchyard/config. */
export type ReloadableConfig = {
  reload(): ReloadOutcome;
  state(): { status: 'ok' | 'error'; loadedAt: Date; version: string; errors: string[] };
};

/** One live process's config state, as it last reported it. */
export type ConfigInstance = {
  id: string;
  /** The command it runs: api, worker, ledger, webhooks, all. */
  kind: string;
  version: string;
  status: 'ok' | 'error';
  loadedAt: string;
  errors: string[];
  /** When it last reported (epoch ms). */
  seenAt: number;
};

/** Why a reload happened, for the log line. */
export type ReloadOrigin = 'admin' | 'signal' | 'peer';

export type ConfigReloadBus = {
  readonly instanceId: string;
  /** Reloads this process, records the outcome, and tells every other process to reload its own file and environment. */
  reload(origin: Exclude<ReloadOrigin, 'peer'>): Promise<ReloadOutcome>;
  /** The processes that reported within the last few heartbeats, this one included. */
  instances(): Promise<ConfigInstance[]>;
  /** Stops listening and removes this process from the instances hash. */
  close(): Promise<void>;
};

type BusLogger = {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
};

/** The message on the reload channel: who asked, never the config (other processes read their own). */
type ReloadNotice = { from: string };

/** Missed heartbeats after which a process counts as gone (crashed without removing itself). */
const staleAfterHeartbeats = 3;

/**
 * Config reload across processes. Every process subscribes to one channel; the process an
 * operator reloads (admin route or SIGHUP) reloads itself and publishes a bare notice, and
 * every other process, hearing it, reloads from its own file and environment, so no config
 * and no secret ever crosses Redis. Each process keeps its state (version, status, errors)
 * in one hash, refreshed on a heartbeat, which the admin status route reads.
 */
export async function startConfigReloadBus(options: {
  config: ReloadableConfig;
  redis: RedisTarget;
  prefix: string;
  kind: string;
  logger: BusLogger;
  heartbeatMs?: number;
}): Promise<ConfigReloadBus> {
  const { config, prefix, kind, logger } = options;
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const instanceId = `${kind}-${randomBytes(6).toString('hex')}`;
  const commands = createRedis(options.redis, { role: 'producer', name: `${kind}-config` });
  const subscriber = createRedis(options.redis, { role: 'subscriber', name: `${kind}-config-reload` });
  // Connection trouble is the process's Redis health reporter's to tell.
  for (const connection of [commands, subscriber]) connection.on('error', () => {});
  const channel = configReloadChannel(prefix);
  const instancesKey = configInstancesKey(prefix);

  const entry = (): ConfigInstance => {
    const state = config.state();
    return {
      id: instanceId,
      kind,
      version: state.version,
      status: state.status,
      loadedAt: state.loadedAt.toISOString(),
      errors: state.errors,
      seenAt: Date.now(),
    };
  };
  const record = async () => {
    const { id, ...fields } = entry();
    await commands.hset(instancesKey, id, JSON.stringify(fields));
  };
  // Redis trouble is the process's health reporter's to tell; a missed record is retried on the next heartbeat.
  const recordQuietly = () => record().catch(() => {});

  const reloadHere = async (origin: ReloadOrigin): Promise<ReloadOutcome> => {
    const outcome = config.reload();
    if (outcome.ok)
      logger.info({ origin, version: outcome.version, changed: outcome.changed }, `config reloaded (${outcome.changed ? 'changed' : 'unchanged'})`);
    else logger.warn({ origin, errors: outcome.errors }, `config reload refused; the previous config keeps serving: ${outcome.errors.join('; ')}`);
    await recordQuietly();
    return outcome;
  };

  subscriber.on('message', (_channel: string, text: string) => {
    let notice: ReloadNotice;
    try {
      notice = JSON.parse(text) as ReloadNotice;
    } catch {
      return;
    }
    if (notice.from !== instanceId)
      void reloadHere('peer').catch((error: unknown) => logger.warn({ error: (error as Error).message }, 'config reload failed in this process'));
  });
  // Not awaited: a process started while Redis is down must go on to report that itself, and
  // ioredis subscribes as soon as the connection is up.
  void subscriber.subscribe(channel).catch(() => {});
  void recordQuietly();
  const heartbeat = setInterval(() => void recordQuietly(), heartbeatMs);
  heartbeat.unref();

  return {
    instanceId,
    async reload(origin) {
      const outcome = await reloadHere(origin);
      // Published whatever the outcome: each process judges its own file and reports it.
      await commands
        .publish(channel, JSON.stringify({ from: instanceId } satisfies ReloadNotice))
        .catch((error: unknown) =>
          logger.warn({ error: (error as Error).message }, 'could not tell the other processes to reload; reload them one by one (SIGHUP)'),
        );
      return outcome;
    },
    async instances() {
      const all = await commands.hgetall(instancesKey);
      const oldest = Date.now() - staleAfterHeartbeats * heartbeatMs;
      const live: ConfigInstance[] = [];
      const stale: string[] = [];
      for (const [id, text] of Object.entries(all)) {
        const fields = parseInstance(text);
        if (fields && fields.seenAt >= oldest) live.push({ id, ...fields });
        else stale.push(id);
      }
      // A process that died without removing itself is tidied away by whoever looks.
      if (stale.length > 0) await commands.hdel(instancesKey, ...stale).catch(() => {});
      return live.sort((left, right) => left.kind.localeCompare(right.kind) || left.id.localeCompare(right.id));
    },
    async close() {
      clearInterval(heartbeat);
      await commands.hdel(instancesKey, instanceId).catch(() => {});
      await subscriber.quit().catch(() => subscriber.disconnect());
      await commands.quit().catch(() => commands.disconnect());
    },
  };
}

function parseInstance(text: string): Omit<ConfigInstance, 'id'> | undefined {
  try {
    const parsed = JSON.parse(text) as Omit<ConfigInstance, 'id'>;
    return typeof parsed.seenAt === 'number' && typeof parsed.version === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
