import type { RedisConnection } from '@switchyard/queue';
import { compareUsd, GatewayError, normalizeUsd, roundUsd } from '@switchyard/core';
import { monthToDateSpend, type Database, type Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import { readMonthToDateSpend, storeMonthToDateSpend, utcMonth } from '@switchyard/queue';
import type { Principal } from '../middleware/authenticate.ts';

/**
 * Refuses an org at or over its monthly budget before anything is queued. An org without
 * a budget costs nothing; one with a budget costs one Redis GET of the month-to-date spend
 * the ledger keeps there, or, when that is missing, one Postgres sum that is then cached.
 */
export function createBudgetCheck(options: { redis: RedisConnection; db: Kysely<Database>; prefix: string; logger: Logger }) {
  const { redis, db, prefix, logger } = options;

  async function spendOf(orgId: string, now: number): Promise<string> {
    const cached = await readMonthToDateSpend(redis, prefix, orgId, now).catch((error: unknown) => {
      logger.warn({ err: error, orgId }, 'month-to-date spend cache unreadable; asking Postgres');
      return undefined;
    });
    if (cached !== undefined) return cached;
    const spend = await monthToDateSpend(db, orgId, now);
    // Only ever raises the cached value, so it cannot undo a newer figure from the ledger.
    await storeMonthToDateSpend(redis, prefix, orgId, utcMonth(now), spend).catch(() => undefined);
    return spend;
  }

  return async function checkBudget(principal: Principal, now = Date.now()): Promise<void> {
    const budget = principal.org.monthlyBudgetUsd;
    if (budget === null) return;
    const spend = await spendOf(principal.orgId, now);
    if (compareUsd(spend, budget) < 0) return;
    throw new GatewayError(
      'budget_exceeded',
      `Your organization has reached its monthly budget of $${normalizeUsd(budget)} (spent $${roundUsd(spend, 6)} this month, UTC). Raise the budget or wait for next month.`,
      { retryAfterMs: untilNextUtcMonth(now) },
    );
  };
}

function untilNextUtcMonth(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) - now;
}
