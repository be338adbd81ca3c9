import { GatewayError, type Route } from '@switchyard/core';

/** What the api knows of one route when a request starts. */
export type RouteCondition = {
  /** The route's breaker is open and still cooling down this long (ms). */
  openForMs?: number;
  /** Live workers consuming the route's provider queue; undefined when not sampled yet. */
  liveWorkers?: number;
  /** A worker served the provider moments ago (a restart or a rolling deploy): its queue will be read again. */
  workerRecentlySeen?: boolean;
  /** The provider's queue is too deep for this request (429 queue_full, with when to retry). */
  queueFull?: GatewayError;
};

export type StartRoute = { skip: number } | { error: GatewayError };

/**
 * Where a request starts in its chain: the first route whose breaker is not open, whose
 * provider's queue has room for it and, for a request someone waits on, whose provider has
 * a live worker (or had one moments ago: a worker being replaced leaves a short gap that the
 * queue bridges). So a full deployment shifts the request to the model's other deployments,
 * then to its fallbacks. When no route qualifies, the caller hears at once instead of
 * waiting out its deadline: 429 queue_full (the first full queue's, with its Retry-After)
 * when a queue was full, else 503. Async work may queue for a provider with no worker yet.
 */
export function chooseStartRoute(routes: Route[], conditions: RouteCondition[], options: { requestedModel: string; needsLiveWorker: boolean }): StartRoute {
  let shortestOpenMs = Number.POSITIVE_INFINITY;
  const withoutWorkers: string[] = [];
  let firstQueueFull: GatewayError | undefined;
  for (const [index, route] of routes.entries()) {
    const condition = conditions[index] ?? {};
    if (condition.openForMs !== undefined && condition.openForMs > 0) {
      shortestOpenMs = Math.min(shortestOpenMs, condition.openForMs);
      continue;
    }
    if (options.needsLiveWorker && condition.liveWorkers === 0 && !condition.workerRecentlySeen) {
      if (!withoutWorkers.includes(route.provider)) withoutWorkers.push(route.provider);
      continue;
    }
    if (condition.queueFull) {
      firstQueueFull ??= condition.queueFull;
      continue;
    }
    return { skip: index };
  }
  if (firstQueueFull) return { error: firstQueueFull };
  if (withoutWorkers.length > 0) {
    const providers = withoutWorkers.join(', ');
    return {
      error: new GatewayError(
        'provider_unavailable',
        `no worker is serving ${providers}, so \`${options.requestedModel}\` cannot be answered now; start one with \`switchyard worker --provider ${withoutWorkers[0]}\` (async jobs still queue)`,
        { retryAfterMs: Number.isFinite(shortestOpenMs) ? Math.max(1000, shortestOpenMs) : 5000 },
      ),
    };
  }
  return {
    error: new GatewayError('provider_unavailable', `every provider that can serve \`${options.requestedModel}\` is unavailable (circuit open)`, {
      retryAfterMs: Math.max(1000, Number.isFinite(shortestOpenMs) ? shortestOpenMs : 1000),
    }),
  };
}
