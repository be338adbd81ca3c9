import { sql, type Kysely } from 'kysely';

/**
 * Webhook events as an outbox: an event row and its delivery rows are written in the same
 * transaction that makes a job or batch terminal, so an event is neither lost nor made twice.
 * The webhooks service moves pending deliveries (`enqueued_at is null`) onto its queue.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_events')
    // The `webhook-id` header: derived from (type, subject), so a replay makes the same id.
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('org_id', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('data', 'jsonb', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('webhook_events_subject').on('webhook_events').column('subject_id').execute();

  await db.schema
    .alterTable('webhook_deliveries')
    .addColumn('event_id', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull())
    // `endpoint:<id>` for an org endpoint, `url` for the job's or batch's own webhook_url.
    .addColumn('destination', 'text', (column) => column.notNull())
    // Bumped by a manual retry, so the redelivery gets a queue job of its own.
    .addColumn('generation', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('enqueued_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('webhook_deliveries_event_destination').unique().on('webhook_deliveries').columns(['event_id', 'destination']).execute();
  await db.schema.createIndex('webhook_deliveries_subject').on('webhook_deliveries').columns(['subject_id', 'created_at']).execute();
  await db.schema.createIndex('webhook_deliveries_unqueued').on('webhook_deliveries').column('created_at').where(sql.ref('enqueued_at'), 'is', null).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('delivery_id', 'text', (column) => column.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (column) => column.notNull())
    // delivered | failed | refused (SSRF guard: no connection was made)
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('duration_ms', 'integer', (column) => column.notNull())
    .addColumn('error', 'text')
    .addColumn('started_at', 'timestamptz', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'attempt']).execute();

  await db.schema
    .createTable('org_webhook_secrets')
    .addColumn('org_id', 'text', (column) => column.primaryKey().references('orgs.id').onDelete('cascade'))
    .addColumn('secret', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .alterTable('webhook_endpoints')
    .addColumn('description', 'text')
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz')
    .execute();

  await db.schema.alterTable('jobs').addColumn('webhook_url', 'text').addColumn('webhook_events', 'jsonb').execute();
}
