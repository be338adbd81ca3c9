import { countFinishedBatchLines, type Database, type Kysely, type Transaction } from '@switchyard/db';
import { sql } from 'kysely';
import { storableJson, type JobRecord, type LedgerEntry, type UsageRecord } from '@switchyard/core';
import { recordJobEvents, type FinishedJob } from './job-events.ts';

export type WrittenBatch = {
  /** Usage records new to the ledger; replays of recorded attempts are skipped. */
  insertedUsage: number;
  jobs: number;
  /** Jobs this transaction made final: each job appears here once in its life, whatever is replayed. */
  finished: FinishedJob[];
  /** Webhook deliveries recorded for the jobs made final (their events are in the same transaction). */
  deliveries: number;
};

const finalStatuses = new Set<JobRecord['status']>(['completed', 'failed', 'cancelled', 'expired']);

/**
 * Writes one batch in one transaction: usage events (each `(request_id, attempt)` at most
 * once), the daily rollup of exactly the events this call inserted, and job records. Any
 * replay of the same entries changes nothing, so a crash before the stream ack is harmless.
 * Every string is made storable first (no U+0000, no lone surrogate), so text that came
 * from a client or an upstream cannot make a row unwritable. A job made final here gets its
 * `job.<status>` webhook event in the same transaction: exactly once, like the final row.
 */
export async function writeLedgerBatch(db: Kysely<Database>, entries: LedgerEntry[]): Promise<WrittenBatch> {
  const usage = entries.flatMap((entry) => (entry.type === 'usage' ? [storableJson(entry.record)] : []));
  const jobs = mergeJobRecords(entries.flatMap((entry) => (entry.type === 'job' ? [storableJson(entry.record)] : [])));
  return db.transaction().execute(async (transaction) => {
    const insertedUsage = usage.length > 0 ? await insertUsage(transaction, usage) : 0;
    const finished = jobs.length > 0 ? await upsertJobs(transaction, jobs) : [];
    // Batch lines: their line status and the batch's request_counts move with the job, once.
    await countFinishedBatchLines(
      transaction,
      finished.filter((row) => row.batch_id),
    );
    const deliveries = await recordJobEvents(transaction, finished);
    return { insertedUsage, jobs: jobs.length, finished, deliveries };
  });
}

async function insertUsage(transaction: Transaction<Database>, records: UsageRecord[]): Promise<number> {
  const rows = insertedRows('usage_events', records.map(toUsageRow));
  const result = await transaction
    .with('inserted', (query) =>
      query
        .insertInto('usage_events')
        .columns(rows.columns)
        .expression(rows.expression)
        .onConflict((conflict) => conflict.columns(['request_id', 'attempt']).doNothing())
        .returningAll(),
    )
    .with('rolled_up', (query) =>
      query
        .insertInto('usage_daily')
        .columns([
          'org_id',
          'key_id',
          'model',
          'day',
          'attempts',
          'input_tokens',
          'output_tokens',
          'cached_input_tokens',
          'cache_write_input_tokens',
          'cost_usd',
          'duration_ms_total',
          'cache_hits',
        ])
        .expression((expression) =>
          expression
            .selectFrom('inserted')
            .select([
              'org_id',
              'key_id',
              'model',
              sql<string>`(created_at at time zone 'UTC')::date`.as('day'),
              sql<string>`count(*) filter (where not cache_hit)`.as('attempts'),
              sql<string>`sum(input_tokens)`.as('input_tokens'),
              sql<string>`sum(output_tokens)`.as('output_tokens'),
              sql<string>`sum(cached_input_tokens)`.as('cached_input_tokens'),
              sql<string>`sum(cache_write_input_tokens)`.as('cache_write_input_tokens'),
              sql<string>`sum(cost_usd)`.as('cost_usd'),
              sql<string>`sum(duration_ms)`.as('duration_ms_total'),
              sql<string>`count(*) filter (where cache_hit)`.as('cache_hits'),
            ])
            .groupBy(['org_id', 'key_id', 'model', sql`4`]),
        )
        .onConflict((conflict) =>
          conflict.columns(['org_id', 'key_id', 'model', 'day']).doUpdateSet({
            attempts: sql`usage_daily.attempts + excluded.attempts`,
            input_tokens: sql`usage_daily.input_tokens + excluded.input_tokens`,
            output_tokens: sql`usage_daily.output_tokens + excluded.output_tokens`,
            cached_input_tokens: sql`usage_daily.cached_input_tokens + excluded.cached_input_tokens`,
            cache_write_input_tokens: sql`usage_daily.cache_write_input_tokens + excluded.cache_write_input_tokens`,
            cost_usd: sql`usage_daily.cost_usd + excluded.cost_usd`,
            duration_ms_total: sql`usage_daily.duration_ms_total + excluded.duration_ms_total`,
            cache_hits: sql`usage_daily.cache_hits + excluded.cache_hits`,
          }),
        ),
    )
    .selectFrom('inserted')
    .select(sql<string>`count(*)`.as('count'))
    .executeTakeFirstOrThrow();
  return Number(result.count);
}

/**
 * The rows of one insert, sent as a single JSON parameter that Postgres expands with
 * `jsonb_populate_recordset` into the table's own row type. A multi-row VALUES list would
 * carry one parameter per cell (4,000 for a 200-entry batch), which the driver serializes
 * and Postgres parses and plans one by one: on embedded PGlite that cost ~30% more CPU per
 * request (`pnpm bench:ledger-batch`). JSON strings become the column's type through its
 * text input (numeric costs stay exact, ISO timestamps keep their milliseconds), and JSON
 * values land in jsonb columns as they are. The columns are the rows' keys (every row
 * built by one function has them all).
 */
function insertedRows<Row extends object>(table: 'usage_events' | 'jobs', rows: Row[]) {
  // Never empty: the callers insert only when there is something to insert.
  const columns = Object.keys(rows[0]!) as (keyof Row & string)[];
  const expression = sql`select ${sql.join(columns.map((column) => sql.ref(column)))} from jsonb_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::jsonb)`;
  return { columns, expression };
}

function toUsageRow(record: UsageRecord) {
  return {
    request_id: record.requestId,
    attempt: record.attempt,
    org_id: record.orgId,
    key_id: record.keyId,
    provider: record.provider,
    model: record.model,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    cached_input_tokens: record.cachedInputTokens,
    // Records written before cache writes were counted carry none.
    cache_write_input_tokens: record.cacheWriteInputTokens ?? 0,
    estimated: record.estimated,
    price_version: record.priceVersion,
    cost_usd: record.costUsd,
    duration_ms: record.durationMs,
    queue_ms: record.queueMs,
    status: record.status,
    created_at: new Date(record.createdAt),
    cache_hit: record.cacheHit ?? false,
  };
}

const statusRank = (status: JobRecord['status']): number => (status === 'queued' ? 0 : status === 'in_progress' ? 1 : 2);
const statusRankSql = (column: string) => sql`case ${sql.ref(column)} when 'queued' then 0 when 'in_progress' then 1 else 2 end`;

/**
 * One record per job, as the database would end up after applying them in order: a
 * record only replaces a job of lower rank (queued < in_progress < finished), so the
 * first final status wins, and fields the later record lacks are kept.
 */
export function mergeJobRecords(records: JobRecord[]): JobRecord[] {
  const merged = new Map<string, JobRecord>();
  for (const record of records) {
    const current = merged.get(record.id);
    if (!current) merged.set(record.id, record);
    else if (statusRank(record.status) > statusRank(current.status)) {
      const defined = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
      merged.set(record.id, { ...current, ...defined, createdAt: Math.min(current.createdAt, record.createdAt) });
    }
  }
  return [...merged.values()];
}

/**
 * Inserts or advances jobs; returns the jobs that became final here. A row only moves up
 * in rank, so a final row is never updated again and a replay returns nothing for it. Only
 * a few columns come back: the whole rows (outputs included) are read again only for the
 * jobs that get a webhook event, which most sync answers do not.
 */
async function upsertJobs(transaction: Transaction<Database>, records: JobRecord[]): Promise<FinishedJob[]> {
  const rows = insertedRows('jobs', records.map(toJobRow));
  const written = await transaction
    .insertInto('jobs')
    .columns(rows.columns)
    .expression(rows.expression)
    .onConflict((conflict) =>
      conflict
        .column('id')
        .doUpdateSet((update) => ({
          served_provider: update.fn.coalesce('excluded.served_provider', 'jobs.served_provider'),
          served_model: update.fn.coalesce('excluded.served_model', 'jobs.served_model'),
          status: sql`excluded.status`,
          output: update.fn.coalesce('excluded.output', 'jobs.output'),
          error: update.fn.coalesce('excluded.error', 'jobs.error'),
          metadata: update.fn.coalesce('excluded.metadata', 'jobs.metadata'),
          webhook_url: update.fn.coalesce('excluded.webhook_url', 'jobs.webhook_url'),
          webhook_events: update.fn.coalesce('excluded.webhook_events', 'jobs.webhook_events'),
          attempts: sql`greatest(excluded.attempts, jobs.attempts)`,
          usage: update.fn.coalesce('excluded.usage', 'jobs.usage'),
          condensed: update.fn.coalesce('excluded.condensed', 'jobs.condensed'),
          cost_usd: update.fn.coalesce('excluded.cost_usd', 'jobs.cost_usd'),
          batch_id: update.fn.coalesce('excluded.batch_id', 'jobs.batch_id'),
          custom_id: update.fn.coalesce('excluded.custom_id', 'jobs.custom_id'),
          created_at: sql`least(excluded.created_at, jobs.created_at)`,
          started_at: update.fn.coalesce('excluded.started_at', 'jobs.started_at'),
          completed_at: update.fn.coalesce('excluded.completed_at', 'jobs.completed_at'),
          queue_ms: update.fn.coalesce('excluded.queue_ms', 'jobs.queue_ms'),
          duration_ms: update.fn.coalesce('excluded.duration_ms', 'jobs.duration_ms'),
        }))
        .where(sql<boolean>`${statusRankSql('jobs.status')} < ${statusRankSql('excluded.status')}`),
    )
    .returning(['id', 'org_id', 'status', 'mode', 'batch_id'])
    .execute();
  return written.filter((row) => finalStatuses.has(row.status as JobRecord['status']));
}

function toJobRow(record: JobRecord) {
  const completedAt = record.completedAt ?? (finalStatuses.has(record.status) ? Date.now() : undefined);
  return {
    id: record.id,
    org_id: record.orgId,
    key_id: record.keyId,
    endpoint: record.endpoint,
    model: record.model,
    served_provider: record.servedProvider ?? null,
    served_model: record.servedModel ?? null,
    mode: record.mode,
    status: record.status,
    output: record.output ?? null,
    error: record.error ?? null,
    metadata: record.metadata ?? null,
    webhook_url: record.webhookUrl ?? null,
    webhook_events: record.webhookEvents ?? null,
    attempts: record.attempts,
    usage: record.usage ?? null,
    condensed: record.condensed ?? null,
    cost_usd: record.costUsd ?? null,
    batch_id: record.batchId ?? null,
    custom_id: record.customId ?? null,
    created_at: new Date(record.createdAt),
    started_at: record.startedAt === undefined ? null : new Date(record.startedAt),
    completed_at: completedAt === undefined ? null : new Date(completedAt),
    queue_ms: record.queueMs ?? null,
    duration_ms: record.durationMs ?? null,
  };
}
