import type { Response } from 'express';
import { formatResetDuration } from './reset-duration.ts';
import type { LimitState } from './rate-limits.ts';

/** OpenAI's `x-ratelimit-*` headers, for each limit the org has. */
export function setRateLimitHeaders(response: Response, limits: { requests?: LimitState; tokens?: LimitState }): void {
  for (const [unit, state] of [
    ['requests', limits.requests],
    ['tokens', limits.tokens],
  ] as const) {
    if (!state) continue;
    response.setHeader(`x-ratelimit-limit-${unit}`, String(state.limit));
    response.setHeader(`x-ratelimit-remaining-${unit}`, String(state.remaining));
    response.setHeader(`x-ratelimit-reset-${unit}`, formatResetDuration(state.resetMs));
  }
}
