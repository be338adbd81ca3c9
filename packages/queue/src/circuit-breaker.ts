import type { Redis } from 'ioredis';
import { acquireScript, recordFailureScript, recordSuccessScript } from './circuit-breaker-scripts.ts';
import { breakerKey } from './names.ts';

export type BreakerState = 'closed' | 'open' | 'half_open';

export type BreakerSettings = {
  /** Failures within `windowMs` that open the breaker. */
  failureThreshold: number;
  windowMs: number;
  /** How long an open breaker refuses calls before letting probes through. */
  openMs: number;
  /** Concurrent probes while half-open. */
  halfOpenProbes: number;
  /** Successful probes that close it again. */
  successesToClose: number;
};

export type BreakerTransition = { provider: string; from: BreakerState; to: BreakerState; at: number };

export type BreakerSnapshot = { state: BreakerState; failures: number; openedAt: number | null; retryAfterMs: number | null };

export type CircuitBreakers = {
  /** The last known state (refreshed from Redis every `refreshMs`). */
  state(provider: string): BreakerState;
  /** May this process call the provider now? Closed costs nothing; open/half-open asks Redis. */
  acquire(provider: string): Promise<{ allowed: boolean; state: BreakerState; retryAfterMs: number }>;
  recordSuccess(provider: string): Promise<void>;
  recordFailure(provider: string): Promise<void>;
  snapshot(provider: string): Promise<BreakerSnapshot>;
  /** Reads every provider's state from Redis now (also runs on a timer). */
  refresh(): Promise<void>;
  close(): void;
};

const toState = (value: unknown): BreakerState => (value === 'open' || value === 'half_open' ? value : 'closed');

/**
 * Circuit breakers shared through Redis, one per provider deployment (ARCHITECTURE.md
 * mechanism 4). The closed state, the common case, is served from a local copy that is
 * refreshed every `refreshMs`, so a healthy provider pays no Redis round trip per call.
 */
export function createCircuitBreakers(options: {
  redis: Redis;
  prefix: string;
  settings: Record<string, BreakerSettings>;
  refreshMs?: number;
  onTransition?: (transition: BreakerTransition) => void;
  now?: () => number;
}): CircuitBreakers {
  const { redis, prefix, settings } = options;
  const now = options.now ?? Date.now;
  const providers = Object.keys(settings);
  const local = new Map<string, BreakerState>(providers.map((provider) => [provider, 'closed']));
  const openedAt = new Map<string, number>();

  const settingsOf = (provider: string): BreakerSettings => {
    const found = settings[provider];
    if (!found) throw new Error(`no breaker settings for provider "${provider}"`);
    return found;
  };

  const apply = (provider: string, next: BreakerState, transitioned: boolean) => {
    const previous = local.get(provider) ?? 'closed';
    local.set(provider, next);
    if (next === 'open' && transitioned) openedAt.set(provider, now());
    if (transitioned && previous !== next) options.onTransition?.({ provider, from: previous, to: next, at: now() });
  };

  const refresh = async () => {
    if (providers.length === 0) return;
    const pipeline = redis.pipeline();
    for (const provider of providers) pipeline.hmget(breakerKey(prefix, provider), 'state', 'opened_at');
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([error, value], index) => {
      if (error) return;
      const provider = providers[index]!;
      const [state, opened] = value as [string | null, string | null];
      const next = toState(state);
      const previous = local.get(provider);
      local.set(provider, next);
      if (opened) openedAt.set(provider, Number(opened));
      if (previous && previous !== next) options.onTransition?.({ provider, from: previous, to: next, at: now() });
    });
  };

  const timer = setInterval(() => void refresh().catch(() => {}), options.refreshMs ?? 500);
  timer.unref();

  const evaluate = async (script: string, provider: string, args: Array<string | number>) =>
    (await redis.eval(script, 1, breakerKey(prefix, provider), ...args)) as [string, number, number?];

  return {
    state: (provider) => local.get(provider) ?? 'closed',
    async acquire(provider) {
      if ((local.get(provider) ?? 'closed') === 'closed') return { allowed: true, state: 'closed', retryAfterMs: 0 };
      const breaker = settingsOf(provider);
      const [state, allowed, transitioned] = await evaluate(acquireScript, provider, [now(), breaker.openMs, breaker.halfOpenProbes]);
      const next = toState(state);
      apply(provider, next, transitioned === 1);
      const retryAfterMs = next === 'open' ? Math.max(0, (openedAt.get(provider) ?? now()) + breaker.openMs - now()) : 0;
      return { allowed: allowed === 1, state: next, retryAfterMs: allowed === 1 ? 0 : Math.max(retryAfterMs, 100) };
    },
    async recordSuccess(provider) {
      if ((local.get(provider) ?? 'closed') === 'closed') return;
      const [state, transitioned] = await evaluate(recordSuccessScript, provider, [settingsOf(provider).successesToClose]);
      apply(provider, toState(state), transitioned === 1);
    },
    async recordFailure(provider) {
      const breaker = settingsOf(provider);
      const [state, transitioned] = await evaluate(recordFailureScript, provider, [now(), breaker.failureThreshold, breaker.windowMs]);
      apply(provider, toState(state), transitioned === 1);
    },
    async snapshot(provider) {
      const [state, failures, opened] = await redis.hmget(breakerKey(prefix, provider), 'state', 'failures', 'opened_at');
      const current = toState(state);
      const openMs = settings[provider]?.openMs ?? 0;
      const openedAtMs = opened ? Number(opened) : null;
      return {
        state: current,
        failures: Number(failures ?? 0),
        openedAt: openedAtMs,
        retryAfterMs: current === 'open' && openedAtMs !== null ? Math.max(0, openedAtMs + openMs - now()) : null,
      };
    },
    refresh,
    close: () => clearInterval(timer),
  };
}
