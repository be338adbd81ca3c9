import type { Response } from 'express';
import { GatewayError, type Usage } from '@switchyard/core';
import type { RedisConnection } from '@switchyard/queue';
import type { SwitchyardConfig } from '@switchyard/config';
import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import type { Principal } from '../middleware/authenticate.ts';
import { createBudgetCheck } from './budget.ts';
import { estimateTokens } from './estimate-tokens.ts';
import { setRateLimitHeaders } from './rate-limit-headers.ts';
import { createRateLimits } from './rate-limits.ts';

/** What admission charged a request; settled once its usage is known (or the estimate kept). */
export type AdmissionTicket = {
  /** Settles the tokens charged at admission against what the request used; `undefined` keeps the estimate. Only the first call counts. */
  settle(usage: Usage | undefined): Promise<void>;
};

export type Admission = {
  /**
   * The monthly budget first (a refused request spends no rate limit), then the key's and
   * the org's rate limits, whose state the answer reports in headers. Runs after the
   * request was parsed and routed, so a 400 or 404 spends nothing.
   */
  admit(principal: Principal, response: Response, inferenceBody: unknown): Promise<AdmissionTicket>;
};

const nothingToSettle: AdmissionTicket = { settle: async () => {} };

export type AdmissionDependencies = { config: SwitchyardConfig; redis: RedisConnection; db: Kysely<Database>; logger: Logger };

export function createAdmission(context: AdmissionDependencies): Admission {
  const rateLimits = createRateLimits({ redis: context.redis, prefix: context.config.redis.prefix, logger: context.logger });
  const checkBudget = createBudgetCheck({ redis: context.redis, db: context.db, prefix: context.config.redis.prefix, logger: context.logger });

  return {
    async admit(principal, response, inferenceBody) {
      await checkBudget(principal);
      const estimatedTokens = principal.org.tpmLimit ? estimateTokens(inferenceBody) : 0;
      const verdict = await rateLimits.admit(principal, estimatedTokens);
      setRateLimitHeaders(response, verdict);
      if (verdict.rejection) throw new GatewayError('rate_limited', verdict.rejection.message, { retryAfterMs: verdict.rejection.retryAfterMs });
      const charge = verdict.tokenCharge;
      if (!charge) return nothingToSettle;
      let settled = false;
      return {
        async settle(usage) {
          if (settled || !usage) return;
          settled = true;
          await rateLimits.reconcile(charge, usage.inputTokens + usage.outputTokens);
        },
      };
    },
  };
}
