import type { Kysely, Selectable } from 'kysely';
import type { JobRecord } from '@switchyard/core';
import type { Database, JobsTable } from '../schema.ts';
import { afterCursor } from './keyset.ts';

export type JobPage = { data: JobRecord[]; hasMore: boolean };

/** The job with this id in this org; another org's job is as absent as a missing one. */
export async function findJob(db: Kysely<Database>, orgId: string, id: string): Promise<JobRecord | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row && toJobRecord(row);
}

/** Newest first. `after` is the id of the last job of the previous page. */
export async function listJobs(
  db: Kysely<Database>,
  orgId: string,
  options: { status?: JobRecord['status']; limit: number; after?: string },
): Promise<JobPage> {
  let query = db.selectFrom('jobs').selectAll().where('org_id', '=', orgId);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.after) {
    const cursor = db.selectFrom('jobs').where('org_id', '=', orgId).where('id', '=', options.after);
    // Same order as the (org_id, created_at desc, id) index; an unknown cursor matches nothing.
    query = query.where(afterCursor(cursor.select('created_at'), options.after, 'desc'));
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'asc')
    .limit(options.limit + 1)
    .execute();
  return { data: rows.slice(0, options.limit).map(toJobRecord), hasMore: rows.length > options.limit };
}

export function toJobRecord(row: Selectable<JobsTable>): JobRecord {
  const record: JobRecord = {
    id: row.id,
    orgId: row.org_id,
    keyId: row.key_id,
    endpoint: row.endpoint,
    model: row.model,
    mode: row.mode as JobRecord['mode'],
    status: row.status as JobRecord['status'],
    attempts: row.attempts,
    createdAt: row.created_at.getTime(),
  };
  if (row.served_provider !== null) record.servedProvider = row.served_provider;
  if (row.served_model !== null) record.servedModel = row.served_model;
  if (row.output !== null) record.output = row.output;
  if (row.error !== null) record.error = row.error as JobRecord['error'];
  if (row.metadata !== null) record.metadata = row.metadata as JobRecord['metadata'];
  if (row.webhook_url !== null) record.webhookUrl = row.webhook_url;
  if (Array.isArray(row.webhook_events)) record.webhookEvents = row.webhook_events as string[];
  if (row.usage !== null) record.usage = row.usage as JobRecord['usage'];
  if (row.condensed === 'truncated' || row.condensed === 'summarized') record.condensed = row.condensed;
  if (row.cost_usd !== null) record.costUsd = trimScale(row.cost_usd);
  if (row.batch_id !== null) record.batchId = row.batch_id;
  if (row.custom_id !== null) record.customId = row.custom_id;
  if (row.started_at !== null) record.startedAt = row.started_at.getTime();
  if (row.completed_at !== null) record.completedAt = row.completed_at.getTime();
  if (row.queue_ms !== null) record.queueMs = row.queue_ms;
  if (row.duration_ms !== null) record.durationMs = row.duration_ms;
  return record;
}

/** `0.000150000000000` -> `0.00015`: NUMERIC(30,15) pads every value to 15 digits. */
function trimScale(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}
