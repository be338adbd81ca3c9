import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Total cost (exact decimal string) of each org's usage in the UTC month `YYYY-MM`; orgs without usage get '0'. */
export async function monthlySpendByOrg(db: Kysely<Database>, orgIds: string[], month: string): Promise<Map<string, string>> {
  const spend = new Map(orgIds.map((orgId) => [orgId, '0']));
  if (orgIds.length === 0) return spend;
  const first = `${month}-01`;
  const rows = await db
    .selectFrom('usage_daily')
    .select(['org_id', sql<string>`trim_scale(sum(cost_usd))::text`.as('cost')])
    .where('org_id', 'in', orgIds)
    .where('day', '>=', first)
    .where('day', '<', sql<string>`(${first}::date + interval '1 month')::date`)
    .groupBy('org_id')
    .execute();
  for (const row of rows) spend.set(row.org_id, row.cost);
  return spend;
}

/** The org's spend in the UTC month containing `now`, as an exact decimal string. */
export async function monthToDateSpend(db: Kysely<Database>, orgId: string, now: Date | number = Date.now()): Promise<string> {
  const month = new Date(now).toISOString().slice(0, 7);
  return (await monthlySpendByOrg(db, [orgId], month)).get(orgId) ?? '0';
}
