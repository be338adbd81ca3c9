import type { Kysely } from 'kysely';

// Answers from the response cache count as requests with no tokens and no cost; usage
// keeps them apart so a report can say how many there were. Rows before this step had none.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('usage_events')
    .addColumn('cache_hit', 'boolean', (column) => column.notNull().defaultTo(false))
    .execute();
  await db.schema
    .alterTable('usage_daily')
    .addColumn('cache_hits', 'bigint', (column) => column.notNull().defaultTo(0))
    .execute();
}
