import { renderJobRecordObject } from '@switchyard/core';
import {
  enabledWebhookEndpoints,
  recordWebhookEvents,
  subscribes,
  toJobRecord,
  type Database,
  type JobRow,
  type Transaction,
  type WebhookEventType,
} from '@switchyard/db';

/** What the ledger needs of a job it made final: enough to count its batch line and decide its webhook event. */
export type FinishedJob = Pick<JobRow, 'id' | 'org_id' | 'status' | 'mode' | 'batch_id'>;

/**
 * The webhook events of jobs made final by this transaction: one `job.<status>` event per
 * job, its `data` the job object exactly as `GET /v1/jobs/{id}` answers from Postgres. The
 * event id is derived from (type, job), so a replayed batch records nothing new. Batch lines
 * are left out: their batch speaks for them. A sync request (answered on its connection, no
 * webhook_url of its own) gets its event only when an enabled org endpoint subscribes to it,
 * so the outbox does not keep a second copy of every answer nobody listens for. Returns the
 * deliveries recorded.
 */
export async function recordJobEvents(transaction: Transaction<Database>, finished: readonly FinishedJob[]): Promise<number> {
  const candidates = finished.filter((job) => job.batch_id === null).map((job) => ({ job, type: `job.${job.status}` as WebhookEventType }));
  if (candidates.length === 0) return 0;
  // Loaded once: it decides which sync requests get an event, and where every event goes.
  const endpoints = await enabledWebhookEndpoints(
    transaction,
    candidates.map(({ job }) => job.org_id),
  );
  const listened = (orgId: string, type: string) => endpoints.some((endpoint) => endpoint.org_id === orgId && subscribes(endpoint.events, type));
  const evented = candidates.filter(({ job, type }) => job.mode !== 'sync' || listened(job.org_id, type));
  if (evented.length === 0) return 0;
  // The whole rows, for the event's data, of these jobs only (written by this transaction).
  const rows = await transaction
    .selectFrom('jobs')
    .selectAll()
    .where(
      'id',
      'in',
      evented.map(({ job }) => job.id),
    )
    .execute();
  const rowOf = new Map(rows.map((row) => [row.id, row]));
  const events = evented
    .flatMap(({ job, type }) => {
      const row = rowOf.get(job.id);
      return row ? [{ row, type }] : [];
    })
    .map(({ row, type }) => ({
      orgId: row.org_id,
      type,
      subjectId: row.id,
      data: renderJobRecordObject(toJobRecord(row)),
      webhookUrl: row.webhook_url,
      webhookEvents: Array.isArray(row.webhook_events) ? (row.webhook_events as string[]) : null,
    }));
  return recordWebhookEvents(transaction, events, endpoints);
}
