import type { Kysely } from 'kysely';

// Prompt-cache writes bill at their own price (Anthropic: 1.25x input), so usage keeps
// them apart. Rows recorded before this step had none counted: 0.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['usage_events', 'usage_daily']) {
    await db.schema
      .alterTable(table)
      .addColumn('cache_write_input_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
      .execute();
  }
}
