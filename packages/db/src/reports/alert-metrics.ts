import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { monthlySpendByOrg } from './month-to-date-spend.ts';

/**
 * Finished jobs (completed or failed; cancelled and expired ones say nothing about a
 * provider) per serving provider since `since`, and how many of them failed. A failed job
 * is counted on the last provider its chain tried.
 */
export async function finishedJobsByProvider(db: Kysely<Database>, since: Date): Promise<Array<{ provider: string; finished: number; failed: number }>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['served_provider', sql<string>`count(*)`.as('finished'), sql<string>`count(*) filter (where status = 'failed')`.as('failed')])
    .where('completed_at', '>=', since)
    .where('status', 'in', ['completed', 'failed'])
    .where('served_provider', 'is not', null)
    .groupBy('served_provider')
    .execute();
  return rows.map((row) => ({ provider: row.served_provider!, finished: Number(row.finished), failed: Number(row.failed) }));
}

/** Every org with a monthly budget, its budget and its spend in the UTC month of `now` (exact decimal strings). */
export async function budgetUsageByOrg(db: Kysely<Database>, now: Date): Promise<Array<{ orgId: string; budgetUsd: string; spendUsd: string }>> {
  const orgs = await db.selectFrom('orgs').select(['id', 'monthly_budget_usd']).where('monthly_budget_usd', 'is not', null).execute();
  const spend = await monthlySpendByOrg(
    db,
    orgs.map((org) => org.id),
    now.toISOString().slice(0, 7),
  );
  return orgs.map((org) => ({ orgId: org.id, budgetUsd: org.monthly_budget_usd!, spendUsd: spend.get(org.id) ?? '0' }));
}
