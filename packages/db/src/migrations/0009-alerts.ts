import { sql, type Kysely } from 'kysely';

/**
 * Alert rules on metrics and the alerts they raise (services/alerts). One firing alert per
 * (rule, subject) at a time, held by a partial unique index, so two evaluators that overlap
 * for a moment cannot raise it twice. Alerts go with their rule.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alert_rules')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('metric', 'text', (column) => column.notNull())
    // `>`, `>=`, `<` or `<=`.
    .addColumn('condition', 'text', (column) => column.notNull())
    .addColumn('threshold', 'numeric', (column) => column.notNull())
    // info | warning | critical
    .addColumn('severity', 'text', (column) => column.notNull())
    .addColumn('cooldown_minutes', 'integer', (column) => column.notNull())
    // [{type: 'log'} | {type: 'webhook', url}]
    .addColumn('channels', 'jsonb', (column) => column.notNull())
    .addColumn('enabled', 'boolean', (column) => column.notNull().defaultTo(true))
    .addColumn('builtin', 'boolean', (column) => column.notNull().defaultTo(false))
    // Only subjects of this provider (provider metrics only); null: every subject.
    .addColumn('provider', 'text')
    // The Standard Webhooks secret the rule's webhook channels are signed with, sealed.
    .addColumn('webhook_secret', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('rule_id', 'text', (column) => column.notNull().references('alert_rules.id').onDelete('cascade'))
    // `openai`, `openai/gpt-4o`, `org_...`, `ledger`: what the metric was measured on.
    .addColumn('subject', 'text', (column) => column.notNull())
    // firing | resolved
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('value', 'double precision', (column) => column.notNull())
    .addColumn('fired_at', 'timestamptz', (column) => column.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by', 'text')
    // When the last `alert.fired` notification went out; null while none did (cooldown).
    .addColumn('last_notified_at', 'timestamptz')
    // `alert.fired` notifications sent, so each has its own event id.
    .addColumn('notifications', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('alerts_one_firing').unique().on('alerts').columns(['rule_id', 'subject']).where(sql.ref('status'), '=', 'firing').execute();
  await db.schema.createIndex('alerts_status_fired').on('alerts').columns(['status', 'fired_at desc']).execute();
  await db.schema.createIndex('alerts_rule_subject_notified').on('alerts').columns(['rule_id', 'subject', 'last_notified_at']).execute();

  // The error ratio reads the jobs finished in the last minutes.
  await db.schema.createIndex('jobs_completed_at').on('jobs').column('completed_at').where(sql.ref('completed_at'), 'is not', null).execute();
}
