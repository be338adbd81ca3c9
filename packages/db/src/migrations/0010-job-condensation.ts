import type { Kysely } from 'kysely';

// A job whose request was condensed to fit its model's context says how (`truncated` or
// `summarized`), so its job object reads the same after Redis lets it go. Older rows: null.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('condensed', 'text').execute();
}
