// Fault injection for drills (config `chaos`, switched at run time by PUT /v1/admin/chaos):
// before an upstream call, a matching rule may delay it, fail it as the upstream would, or
// stall it until the provider's timeout. Off unless enabled explicitly.
import { chaosSchema, type ChaosRule, type ChaosSettings } from '@switchyard/config';
import { createPrng, ProviderError, type Route } from '@switchyard/core';
import type { Logger } from '@switchyard/logger';
import { providerErrorForStatus } from '@switchyard/providers';
import { readChaosOverride, type RedisConnection } from '@switchyard/queue';

/** How long a worker trusts the override it last read: every worker sees a switch within about this. */
const overrideRefreshMs = 1000;
const defaultDelayMs = 1000;
const defaultErrorStatus = 500;

/**
 * The rule to apply to one call, or none. Each matching rule, in order, draws once and fires
 * when the draw falls under its probability; the first that fires wins.
 */
export function decideFault(settings: ChaosSettings, target: { provider: string; model: string }, random: () => number): ChaosRule | undefined {
  if (!settings.enabled) return undefined;
  for (const rule of settings.rules) {
    if (rule.provider !== undefined && rule.provider !== target.provider) continue;
    if (rule.model !== undefined && rule.model !== target.model) continue;
    if (random() < rule.probability) return rule;
  }
  return undefined;
}

export type FaultInjector = {
  /** Applies the fault decided for this call, if any: waits, or throws the error the upstream would have. */
  beforeCall(route: Route, configured: ChaosSettings, options: { signal: AbortSignal; timeoutMs: number }): Promise<void>;
};

export function createFaultInjector(options: {
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
  onInjected(provider: string, type: ChaosRule['type']): void;
}): FaultInjector {
  const { redis, prefix, logger } = options;
  let override: { settings: ChaosSettings | undefined; readAt: number } = { settings: undefined, readAt: Number.NEGATIVE_INFINITY };
  let reading: Promise<void> | undefined;
  let draws: { seed: number | undefined; random: () => number } | undefined;

  const refreshOverride = async () => {
    try {
      const parsed = chaosSchema.safeParse(await readChaosOverride(redis, prefix));
      override = { settings: parsed.success ? parsed.data : undefined, readAt: Date.now() };
    } catch (error) {
      // Redis is away: keep what was read last, try again at the next call.
      logger.warn({ err: error }, 'could not read the fault-injection switch');
    }
  };
  const currentSettings = async (configured: ChaosSettings): Promise<ChaosSettings> => {
    if (Date.now() - override.readAt >= overrideRefreshMs) {
      reading ??= refreshOverride().finally(() => (reading = undefined));
      await reading;
    }
    return override.settings ?? configured;
  };
  /** One sequence per seed: a new seed (a reload, an admin switch) starts its own. */
  const randomFor = (seed: number | undefined) => {
    if (draws?.seed !== seed || !draws) draws = { seed, random: seed === undefined ? Math.random : createPrng(seed) };
    return draws.random;
  };

  return {
    async beforeCall(route, configured, { signal, timeoutMs }) {
      // The common case, chaos off in config and never switched on, costs one GET a second.
      const settings = await currentSettings(configured);
      const rule = decideFault(settings, route, randomFor(settings.seed));
      if (!rule) return;
      options.onInjected(route.provider, rule.type);
      logger.warn({ provider: route.provider, model: route.model, fault: rule.type, status: rule.status, durationMs: rule.duration_ms }, 'injecting a fault');
      switch (rule.type) {
        case 'delay':
          await waitFor(rule.duration_ms ?? defaultDelayMs, signal);
          return;
        case 'error':
          throw providerErrorForStatus(
            rule.status ?? defaultErrorStatus,
            { provider: route.provider, secrets: [] },
            { message: 'injected fault (chaos rule)' },
          );
        case 'stall':
          await waitFor(rule.duration_ms ?? timeoutMs, signal);
          throw new ProviderError('upstream_timeout', `${route.provider} did not answer in time`, { provider: route.provider, retryable: true });
      }
    },
  };
}

/** Resolves after `milliseconds`; rejects with the signal's reason when it aborts first (cancel, deadline). */
function waitFor(milliseconds: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
