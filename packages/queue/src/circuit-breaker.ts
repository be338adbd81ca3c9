import { isCluster, type RedisConnection } from './connection.ts';
import { tripsBreaker, windowCounts, windowPosition, windowSlots, type BreakerTrip, type WindowSlot } from './circuit-breaker-decision.ts';
import { deploymentKey, deploymentOf, type BreakerState, type BreakerTarget, type Deployment } from './circuit-breaker-deployment.ts';
import { acquireScript, openIfUnchangedScript, recordCallsScript, recordProbeSuccessScript } from './circuit-breaker-scripts.ts';
import type { RedisScript } from './redis-script.ts';
import { breakerKey } from './names.ts';

/** Settings of one provider, applied to each of its deployments. */
export type BreakerSettings = BreakerTrip & {
  /** The sliding window failures and calls are counted in. */
  windowMs: number;
  /** How long an open breaker refuses calls before letting probes through. */
  openMs: number;
  /** Concurrent probes while half-open. */
  halfOpenProbes: number;
  /** Successful probes that close it again. */
  successesToClose: number;
};

export type BreakerTransition = Deployment & { from: BreakerState; to: BreakerState; at: number };

export type BreakerSnapshot = Deployment & {
  state: BreakerState;
  /** Calls and failures in the current window (successes of this process reach it on the next refresh). */
  calls: number;
  failures: number;
  openedAt: number | null;
  retryAfterMs: number | null;
};

export type DeploymentBreaker = Deployment & { state: BreakerState };

export type CircuitBreakers = {
  /** The last known state of a deployment (refreshed from Redis every `refreshMs`; a deployment first seen here is watched from now on). */
  state(target: BreakerTarget): BreakerState;
  /** The last known state of every deployment of the provider this process knows, by model. */
  deployments(provider: string): DeploymentBreaker[];
  /** May this process call the deployment now? Closed costs nothing; open/half-open asks Redis. */
  acquire(target: BreakerTarget): Promise<{ allowed: boolean; state: BreakerState; retryAfterMs: number }>;
  /** Closed: counted locally and added to the shared window on the next refresh or failure. */
  recordSuccess(target: BreakerTarget): Promise<void>;
  recordFailure(target: BreakerTarget): Promise<void>;
  snapshot(target: BreakerTarget): Promise<BreakerSnapshot>;
  /** Hands this process's counted successes to Redis and reads every known deployment's state. */
  refresh(): Promise<void>;
  close(): void;
};

type Entry = {
  deployment: Deployment;
  key: string;
  state: BreakerState;
  openedAt: number | null;
  /** Successes not yet added to the shared window. */
  pendingSuccesses: number;
};

const toState = (value: unknown): BreakerState => (value === 'open' || value === 'half_open' ? value : 'closed');

/** The HMGET of the window ring, {wb0, wc0, wf0, wb1, ...}, as slots (empty slots dropped). */
function parseWindow(flat: Array<string | null>): WindowSlot[] {
  const slots: WindowSlot[] = [];
  for (let index = 0; index + 2 < flat.length; index += 3) {
    if (flat[index] === null || flat[index] === undefined) continue;
    slots.push({ bucket: Number(flat[index]), calls: Number(flat[index + 1] ?? 0), failures: Number(flat[index + 2] ?? 0) });
  }
  return slots;
}

const windowFieldNames = Array.from({ length: windowSlots }, (_, slot) => [`wb${slot}`, `wc${slot}`, `wf${slot}`]).flat();

/**
 * Circuit breakers shared through Redis, one per deployment: a provider serving one
 * upstream model, so one overloaded model does not stop its provider's others. Settings
 * are per provider. The closed state, the common case, is served from a local copy that
 * is refreshed every `refreshMs`, and successes are counted locally between refreshes,
 * so a healthy deployment pays no Redis round trip per call.
 */
export function createCircuitBreakers(options: {
  redis: RedisConnection;
  prefix: string;
  settings: Record<string, BreakerSettings>;
  /** Deployments to watch from the start (the catalog's); others join when first used. Deployments of providers without settings are ignored. */
  deployments?: Iterable<BreakerTarget>;
  refreshMs?: number;
  onTransition?: (transition: BreakerTransition) => void;
  now?: () => number;
}): CircuitBreakers {
  const { redis, prefix, settings } = options;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const settingsOf = (provider: string): BreakerSettings => {
    const found = settings[provider];
    if (!found) throw new Error(`no breaker settings for provider "${provider}"`);
    return found;
  };

  /** The deployment's entry, created on first sight when its provider has settings. */
  const track = (target: BreakerTarget): Entry | undefined => {
    const deployment = deploymentOf(target);
    const id = deploymentKey(deployment);
    const found = entries.get(id);
    if (found || !settings[deployment.provider]) return found;
    const entry: Entry = { deployment, key: breakerKey(prefix, deployment.provider, deployment.model), state: 'closed', openedAt: null, pendingSuccesses: 0 };
    entries.set(id, entry);
    return entry;
  };
  const entryOf = (target: BreakerTarget): Entry => {
    const entry = track(target);
    if (!entry) throw new Error(`no breaker settings for provider "${target.provider}"`);
    return entry;
  };
  for (const target of options.deployments ?? []) track(target);

  const apply = (entry: Entry, next: BreakerState, transitioned: boolean) => {
    const previous = entry.state;
    entry.state = next;
    if (next === 'open' && transitioned) entry.openedAt = now();
    if (transitioned && previous !== next) options.onTransition?.({ ...entry.deployment, from: previous, to: next, at: now() });
  };

  const evaluate = async <T>(script: RedisScript, entry: Entry, args: Array<string | number>) => (await script.run(redis, [entry.key], args)) as T;

  /** Adds calls to the shared window, then opens the breaker if the window says so. */
  const recordCalls = async (entry: Entry, successes: number, failures: number) => {
    const breaker = settingsOf(entry.deployment.provider);
    const at = now();
    const { bucket, slot } = windowPosition(at, breaker.windowMs);
    const [state, transitioned, generation, window] = await evaluate<[string, number, number, Array<string | null>]>(recordCallsScript, entry, [
      at,
      bucket,
      slot,
      successes + failures,
      failures,
      windowSlots,
    ]);
    let next = toState(state);
    let moved = transitioned === 1;
    if (next === 'closed' && tripsBreaker(windowCounts(parseWindow(window), at, breaker.windowMs), breaker)) {
      // Counts read a moment ago: the open applies only if no one moved the breaker since.
      const [opened, openedNow] = await evaluate<[string, number]>(openIfUnchangedScript, entry, [at, generation]);
      next = toState(opened);
      moved = openedNow === 1;
    }
    apply(entry, next, moved);
  };

  /** Takes the entry's counted successes; they are put back if Redis does not take them. */
  const withPendingSuccesses = async (entry: Entry, failures: number) => {
    const successes = entry.pendingSuccesses;
    entry.pendingSuccesses = 0;
    try {
      await recordCalls(entry, successes, failures);
    } catch (error) {
      entry.pendingSuccesses += successes;
      throw error;
    }
  };

  const refresh = async () => {
    const known = [...entries.values()];
    if (known.length === 0) return;
    await Promise.all(known.filter((entry) => entry.pendingSuccesses > 0).map((entry) => withPendingSuccesses(entry, 0).catch(() => {})));
    const results = await readStates(known.map((entry) => entry.key));
    results.forEach(([error, value], index) => {
      if (error) return;
      const entry = known[index]!;
      const [state, opened] = value as [string | null, string | null];
      const previous = entry.state;
      entry.state = toState(state);
      if (opened) entry.openedAt = Number(opened);
      if (previous !== entry.state) options.onTransition?.({ ...entry.deployment, from: previous, to: entry.state, at: now() });
    });
  };

  /** [error, [state, opened_at]] per key: one pipeline, or on a cluster (whose pipelines must stay on one node) one command each. */
  const readStates = async (keys: string[]): Promise<Array<[Error | null, unknown]>> => {
    if (isCluster(redis))
      return Promise.all(
        keys.map((key) =>
          redis.hmget(key, 'state', 'opened_at').then(
            (value): [null, unknown] => [null, value],
            (error: Error): [Error, unknown] => [error, null],
          ),
        ),
      );
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.hmget(key, 'state', 'opened_at');
    return (await pipeline.exec()) ?? [];
  };

  const timer = setInterval(() => void refresh().catch(() => {}), options.refreshMs ?? 500);
  timer.unref();

  return {
    state: (target) => track(target)?.state ?? 'closed',
    deployments: (provider) =>
      [...entries.values()]
        .filter((entry) => entry.deployment.provider === provider)
        .map((entry) => ({ ...entry.deployment, state: entry.state }))
        .sort((left, right) => left.model.localeCompare(right.model)),
    async acquire(target) {
      const entry = entryOf(target);
      if (entry.state === 'closed') return { allowed: true, state: 'closed', retryAfterMs: 0 };
      const breaker = settingsOf(entry.deployment.provider);
      const [state, allowed, transitioned] = await evaluate<[string, number, number]>(acquireScript, entry, [now(), breaker.openMs, breaker.halfOpenProbes]);
      const next = toState(state);
      apply(entry, next, transitioned === 1);
      const retryAfterMs = next === 'open' ? Math.max(0, (entry.openedAt ?? now()) + breaker.openMs - now()) : 0;
      return { allowed: allowed === 1, state: next, retryAfterMs: allowed === 1 ? 0 : Math.max(retryAfterMs, 100) };
    },
    async recordSuccess(target) {
      const entry = entryOf(target);
      if (entry.state === 'closed') {
        entry.pendingSuccesses += 1;
        return;
      }
      const [state, transitioned] = await evaluate<[string, number]>(recordProbeSuccessScript, entry, [
        settingsOf(entry.deployment.provider).successesToClose,
        windowSlots,
      ]);
      apply(entry, toState(state), transitioned === 1);
    },
    recordFailure: (target) => withPendingSuccesses(entryOf(target), 1),
    async snapshot(target) {
      const deployment = deploymentOf(target);
      const breaker = settingsOf(deployment.provider);
      const [state, opened, ...window] = await redis.hmget(
        breakerKey(prefix, deployment.provider, deployment.model),
        'state',
        'opened_at',
        ...windowFieldNames,
      );
      const current = toState(state);
      const at = now();
      const openedAt = opened ? Number(opened) : null;
      return {
        ...deployment,
        state: current,
        ...windowCounts(parseWindow(window), at, breaker.windowMs),
        openedAt,
        retryAfterMs: current === 'open' && openedAt !== null ? Math.max(0, openedAt + breaker.openMs - at) : null,
      };
    },
    refresh,
    close: () => clearInterval(timer),
  };
}
