import { sql, type Kysely } from 'kysely';

/**
 * Batch lines in Postgres: every input line of a batch, validated or refused, with its job
 * data and its state, so the driver can feed, resume and finalize without holding anything
 * in Redis but the lines it has queued. The batch gains its shell, the counts of lines
 * cancelled and expired, and its usage totals.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('batches')
    .addColumn('shell', 'text', (column) => column.notNull().defaultTo('openai'))
    .addColumn('cancelled', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('expired', 'integer', (column) => column.notNull().defaultTo(0))
    // Lines read by validation so far (resumes a validation cut by a crash).
    .addColumn('validated', 'integer', (column) => column.notNull().defaultTo(0))
    // Validation read the whole input (set even when the batch was cancelled while validating).
    .addColumn('validated_at', 'timestamptz')
    .addColumn('usage', 'jsonb')
    .addColumn('cost_usd', 'numeric')
    .execute();
  await db.schema
    .createIndex('batches_active')
    .on('batches')
    .column('status')
    .where(sql.ref('status'), 'in', ['validating', 'in_progress', 'finalizing', 'cancelling'])
    .execute();

  await db.schema
    .createTable('batch_lines')
    .addColumn('batch_id', 'text', (column) => column.notNull())
    .addColumn('line_index', 'integer', (column) => column.notNull())
    .addColumn('custom_id', 'text')
    // `pending` (valid, not fed) | `queued` (on a provider queue) | `invalid` | `completed` | `failed` | `cancelled` | `expired`.
    .addColumn('status', 'text', (column) => column.notNull())
    // The inference job data the line runs as (null for an invalid line).
    .addColumn('job', 'jsonb')
    // Provider queue the line was fed to (its first route).
    .addColumn('provider', 'text')
    // Why the line failed validation, or the engine's reason for cancelling or expiring it.
    .addColumn('error', 'jsonb')
    .addColumn('fed_at', 'timestamptz')
    // The line's Redis jobs were removed after it became final.
    .addColumn('cleaned', 'boolean', (column) => column.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('batch_lines_pk', ['batch_id', 'line_index'])
    .execute();
  await db.schema.createIndex('batch_lines_status').on('batch_lines').columns(['batch_id', 'status', 'line_index']).execute();
  await db.schema.createIndex('batch_lines_custom_id').on('batch_lines').columns(['batch_id', 'custom_id']).execute();
}
