import { createHash } from 'node:crypto';
import { ConfigError, type SwitchyardConfig } from './load-config.ts';

/** Settings a running process cannot take over: its connections and listeners were made with them. */
export const restartOnlySettings = [
  'redis.url',
  'redis.prefix',
  'redis.clusterNodes',
  'database.url',
  'database.dataDir',
  'server.port',
  'server.host',
  'server.metricsPort',
  'encryptionKey',
] as const;

export type ConfigState = {
  /** `error`: the last reload was refused and the config loaded before it still serves. */
  status: 'ok' | 'error';
  /** When the config now serving was loaded. */
  loadedAt: Date;
  version: string;
  /** The refused reload's problems, one per line, each naming its key. */
  errors: string[];
};

export type ReloadResult = { ok: true; version: string; changed: boolean; loadedAt: Date } | { ok: false; errors: string[] };

type ChangeListener = (next: SwitchyardConfig, previous: SwitchyardConfig) => void;

/**
 * The config of one process, swappable while it runs. Readers take `current()` once per
 * request or job and keep that object, so work in flight finishes on the config it started with.
 */
export type LiveConfig = {
  current(): SwitchyardConfig;
  state(): ConfigState;
  /** Loads again (file and environment), validates, and swaps, or keeps the current config and says why. */
  reload(): ReloadResult;
  /** Called after each swap that changed something; returns the unsubscribe. */
  onChange(listener: ChangeListener): () => void;
};

/**
 * A short content hash: two processes with the same version serve the same config. The
 * restart-only settings are left out: they tell processes apart (each api its own port)
 * rather than what they serve.
 */
export function configVersion(config: SwitchyardConfig): string {
  const served = structuredClone(config) as unknown as Record<string, Record<string, unknown>>;
  for (const path of restartOnlySettings) {
    const [section, key] = path.split('.') as [string, string | undefined];
    if (key === undefined) delete served[section];
    else if (served[section]) delete served[section][key];
  }
  return createHash('sha256').update(JSON.stringify(served)).digest('hex').slice(0, 12);
}

const settingAt = (config: SwitchyardConfig, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), config);

/** The restart-only settings a reload would move, as refusal lines. */
function movedRestartOnlySettings(running: SwitchyardConfig, next: SwitchyardConfig): string[] {
  return restartOnlySettings
    .filter((path) => JSON.stringify(settingAt(next, path)) !== JSON.stringify(settingAt(running, path)))
    .map((path) => `${path}: cannot change while running (restart the process)`);
}

/** One line per problem of a refused load (a ConfigError lists them under its first line). */
function problemsOf(error: unknown): string[] {
  if (!(error instanceof ConfigError)) return [(error as Error)?.message ?? String(error)];
  const lines = error.message.split('\n').map((line) => line.trim());
  return lines[0] === 'invalid configuration:' ? lines.slice(1).filter(Boolean) : lines.filter(Boolean);
}

export function createLiveConfig(load: () => SwitchyardConfig, initial: SwitchyardConfig = load()): LiveConfig {
  let config = initial;
  let state: ConfigState = { status: 'ok', loadedAt: new Date(), version: configVersion(config), errors: [] };
  const listeners = new Set<ChangeListener>();

  const refuse = (errors: string[]): ReloadResult => {
    state = { ...state, status: 'error', errors };
    return { ok: false, errors };
  };

  return {
    current: () => config,
    state: () => state,
    reload() {
      let next: SwitchyardConfig;
      try {
        next = load();
      } catch (error) {
        return refuse(problemsOf(error));
      }
      const moved = movedRestartOnlySettings(config, next);
      if (moved.length > 0) return refuse(moved);
      const version = configVersion(next);
      const changed = version !== state.version;
      const previous = config;
      // An unchanged file keeps the object in service (and the time it was loaded).
      if (changed) config = next;
      state = { status: 'ok', loadedAt: changed ? new Date() : state.loadedAt, version, errors: [] };
      if (changed) notify(listeners, next, previous);
      return { ok: true, version, changed, loadedAt: state.loadedAt };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Every listener hears the change, even when one before it throws; the first failure is thrown after. */
function notify(listeners: Iterable<ChangeListener>, next: SwitchyardConfig, previous: SwitchyardConfig): void {
  const failures: unknown[] = [];
  for (const listener of listeners) {
    try {
      listener(next, previous);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** A config given as a plain object (tests, embedding code) as a LiveConfig: it reloads to itself, so it never changes. */
export function asLiveConfig(config: SwitchyardConfig | LiveConfig): LiveConfig {
  return 'current' in config && typeof config.current === 'function' ? config : createLiveConfig(() => config as SwitchyardConfig);
}
