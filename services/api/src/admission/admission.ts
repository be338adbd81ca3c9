import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GatewayError, type Usage } from '@switchyard/core';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { createBudgetCheck } from './budget.ts';
import { estimateTokens } from './estimate-tokens.ts';
import { setRateLimitHeaders } from './rate-limit-headers.ts';
import { createRateLimits, type RateLimits, type TokenCharge } from './rate-limits.ts';

type PendingCharge = { charge: TokenCharge; rateLimits: RateLimits };

/**
 * Admission for routes that create work (inference and POST /v1/jobs), after
 * authentication: the monthly budget first (a refused request spends no rate limit),
 * then the key's and the org's rate limits, whose state every answer reports in headers.
 */
export function createAdmission(context: ApiContext): { inference: RequestHandler; jobs: RequestHandler } {
  const rateLimits = createRateLimits({ redis: context.redis, prefix: context.config.redis.prefix, logger: context.logger });
  const checkBudget = createBudgetCheck({ redis: context.redis, db: context.db, prefix: context.config.redis.prefix, logger: context.logger });

  const admit = (inferenceBodyOf: (request: Request) => unknown): RequestHandler =>
    async (request: Request, response: Response, next: NextFunction): Promise<void> => {
      const principal = principalOf(response);
      await checkBudget(principal);
      const estimatedTokens = principal.org.tpmLimit ? estimateTokens(inferenceBodyOf(request)) : 0;
      const verdict = await rateLimits.admit(principal, estimatedTokens);
      setRateLimitHeaders(response, verdict);
      if (verdict.rejection) throw new GatewayError('rate_limited', verdict.rejection.message, { retryAfterMs: verdict.rejection.retryAfterMs });
      if (verdict.tokenCharge) response.locals.tokenCharge = { charge: verdict.tokenCharge, rateLimits } satisfies PendingCharge;
      next();
    };

  return {
    inference: admit((request) => request.body),
    // A job carries the endpoint's body inside its own.
    jobs: admit((request) => (typeof request.body === 'object' && request.body !== null ? (request.body as { body?: unknown }).body : undefined)),
  };
}

/**
 * Settles the tokens charged at admission against what the request really used, once
 * its answer is known (the sync reply path). `undefined` keeps the estimate. Safe to call
 * on any response, and only the first call counts.
 */
export async function reconcileTokens(response: Response, usage: Usage | undefined): Promise<void> {
  const pending = response.locals.tokenCharge as PendingCharge | undefined;
  if (!pending || !usage) return;
  response.locals.tokenCharge = undefined;
  await pending.rateLimits.reconcile(pending.charge, usage.inputTokens + usage.outputTokens);
}
