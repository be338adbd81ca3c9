import { compareUsd } from '@switchyard/core';
import { getOrg, monthToDateSpend } from '@switchyard/db';
import { readMonthToDateSpend } from '@switchyard/queue';
import type { BatchEngineDeps } from '../types.ts';

/**
 * Whether an org may start more batch lines: the same monthly budget rule as a request
 * (at or over the budget, nothing new starts), read the same way (the month-to-date spend
 * the ledger keeps in Redis, else a Postgres sum). An org over budget keeps its lines
 * waiting in Postgres, not failed: they run if the budget is raised before the batch expires.
 */
export async function orgWithinBudget(deps: BatchEngineDeps, orgId: string, now = Date.now()): Promise<boolean> {
  const org = await getOrg(deps.db, orgId);
  if (!org || org.monthlyBudgetUsd === null) return true;
  const spend =
    (await readMonthToDateSpend(deps.redis, deps.config.redis.prefix, orgId, now).catch(() => undefined)) ?? (await monthToDateSpend(deps.db, orgId, now));
  return compareUsd(spend, org.monthlyBudgetUsd) < 0;
}
