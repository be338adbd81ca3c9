import type { Route } from '@switchyard/core';

export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * What one breaker guards: a provider serving one upstream model. Keyed by the upstream
 * model, not the catalog id: two catalog ids (or a fallback) that reach the same upstream
 * model fail together, and their calls belong in one window for the failure ratio.
 */
export type Deployment = { provider: string; model: string };

/** A deployment, or a route (which names its deployment by `upstreamModel`). */
export type BreakerTarget = Deployment | Route;

export function deploymentOf(target: BreakerTarget): Deployment {
  return { provider: target.provider, model: 'upstreamModel' in target ? target.upstreamModel : target.model };
}

/** Provider names carry no ':' (config allows [a-z0-9-]), so this key is unambiguous. */
export const deploymentKey = (deployment: Deployment): string => `${deployment.provider}:${deployment.model}`;
