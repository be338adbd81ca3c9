import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** One org's spend in the current UTC month, from the ledger's daily rollup. */
export type OrgSpend = {
  org_id: string;
  org_name: string;
  /** Exact decimal string. */
  cost_usd: string;
  input_tokens: number;
  output_tokens: number;
  /** Provider attempts recorded (fallbacks count each). */
  attempts: number;
};

/** The orgs that spent most in the UTC month containing `now`, most first. */
export async function topSpendersThisMonth(db: Kysely<Database>, options: { limit: number; now?: Date }): Promise<{ month: string; orgs: OrgSpend[] }> {
  const month = (options.now ?? new Date()).toISOString().slice(0, 7);
  const first = `${month}-01`;
  const rows = await db
    .selectFrom('usage_daily')
    .innerJoin('orgs', 'orgs.id', 'usage_daily.org_id')
    .select([
      'usage_daily.org_id',
      'orgs.name as org_name',
      sql<string>`trim_scale(sum(usage_daily.cost_usd))::text`.as('cost_usd'),
      sql<string>`sum(usage_daily.input_tokens)`.as('input_tokens'),
      sql<string>`sum(usage_daily.output_tokens)`.as('output_tokens'),
      sql<string>`sum(usage_daily.attempts)`.as('attempts'),
    ])
    .where('usage_daily.day', '>=', first)
    .where('usage_daily.day', '<', sql<string>`(${first}::date + interval '1 month')::date`)
    .groupBy(['usage_daily.org_id', 'orgs.name'])
    .orderBy(sql`sum(usage_daily.cost_usd)`, 'desc')
    .orderBy('usage_daily.org_id')
    .limit(options.limit)
    .execute();
  return {
    month,
    orgs: rows.map((row) => ({
      ...row,
      input_tokens: Number(row.input_tokens),
      output_tokens: Number(row.output_tokens),
      attempts: Number(row.attempts),
    })),
  };
}
