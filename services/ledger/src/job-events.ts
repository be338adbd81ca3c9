import { renderJobRecordObject } from '@switchyard/core';
import { recordWebhookEvents, toJobRecord, type Database, type JobRow, type Transaction, type WebhookEventType } from '@switchyard/db';

/**
 * The webhook events of jobs made final by this transaction: one `job.<status>` event per
 * job, its `data` the job object exactly as `GET /v1/jobs/{id}` answers from Postgres. The
 * event id is derived from (type, job), so a replayed batch records nothing new. Batch lines
 * are left out: their batch speaks for them. Returns the deliveries recorded.
 */
export async function recordJobEvents(transaction: Transaction<Database>, finished: readonly JobRow[]): Promise<number> {
  const events = finished
    .filter((row) => row.batch_id === null)
    .map((row) => ({
      orgId: row.org_id,
      type: `job.${row.status}` as WebhookEventType,
      subjectId: row.id,
      data: renderJobRecordObject(toJobRecord(row)),
      webhookUrl: row.webhook_url,
      webhookEvents: Array.isArray(row.webhook_events) ? (row.webhook_events as string[]) : null,
    }));
  return recordWebhookEvents(transaction, events);
}
