import { sql, type Kysely } from 'kysely';

// No foreign keys to orgs here: the ledger appends in batches, and one row naming a
// deleted org must not make a whole batch fail forever.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('org_id', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('endpoint', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('served_provider', 'text')
    .addColumn('served_model', 'text')
    .addColumn('mode', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('output', 'jsonb')
    .addColumn('error', 'jsonb')
    .addColumn('metadata', 'jsonb')
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('usage', 'jsonb')
    .addColumn('cost_usd', 'numeric(30, 15)')
    .addColumn('batch_id', 'text')
    .addColumn('custom_id', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('queue_ms', 'integer')
    .addColumn('duration_ms', 'integer')
    .execute();
  await db.schema.createIndex('jobs_org_created').on('jobs').columns(['org_id', 'created_at desc', 'id']).execute();
  await db.schema.createIndex('jobs_batch').on('jobs').columns(['batch_id', 'custom_id']).where(sql.ref('batch_id'), 'is not', null).execute();

  await db.schema
    .createTable('usage_events')
    .addColumn('request_id', 'text', (column) => column.notNull())
    .addColumn('attempt', 'integer', (column) => column.notNull())
    .addColumn('org_id', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('provider', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('input_tokens', 'integer', (column) => column.notNull())
    .addColumn('output_tokens', 'integer', (column) => column.notNull())
    .addColumn('cached_input_tokens', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('estimated', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('price_version', 'text', (column) => column.notNull())
    .addColumn('cost_usd', 'numeric(30, 15)', (column) => column.notNull())
    .addColumn('duration_ms', 'integer', (column) => column.notNull())
    .addColumn('queue_ms', 'integer', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull())
    .addPrimaryKeyConstraint('usage_events_pkey', ['request_id', 'attempt'])
    .execute();
  await db.schema.createIndex('usage_events_org_created').on('usage_events').columns(['org_id', 'created_at']).execute();

  await db.schema
    .createTable('usage_daily')
    .addColumn('org_id', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('day', 'date', (column) => column.notNull())
    .addColumn('attempts', 'bigint', (column) => column.notNull())
    .addColumn('input_tokens', 'bigint', (column) => column.notNull())
    .addColumn('output_tokens', 'bigint', (column) => column.notNull())
    .addColumn('cached_input_tokens', 'bigint', (column) => column.notNull())
    .addColumn('cost_usd', 'numeric(30, 15)', (column) => column.notNull())
    .addColumn('duration_ms_total', 'bigint', (column) => column.notNull())
    .addPrimaryKeyConstraint('usage_daily_pkey', ['org_id', 'key_id', 'model', 'day'])
    .execute();
}
