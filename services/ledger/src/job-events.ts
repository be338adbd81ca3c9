import { renderJobRecordObject } from '@switchyard/core';
import { recordWebhookEvents, toJobRecord, type Database, type JobRow, type Transaction, type WebhookEventType } from '@switchyard/db';

/**
 * The webhook events of jobs made final by this transaction: one `job.<status>` event per
 * job, its `data` the job object exactly as `GET /v1/jobs/{id}` answers from Postgres. The
 * event id is derived from (type, job), so a replayed batch records nothing new. Batch lines
 * are left out: their batch speaks for them. A sync request (answered on its connection, no
 * webhook_url of its own) gets its event only when an enabled org endpoint subscribes to it,
 * so the outbox does not keep a second copy of every answer nobody listens for. Returns the
 * deliveries recorded.
 */
export async function recordJobEvents(transaction: Transaction<Database>, finished: readonly JobRow[]): Promise<number> {
  const candidates = finished.filter((row) => row.batch_id === null).map((row) => ({ row, type: `job.${row.status}` as WebhookEventType }));
  const listened = await subscribedTypes(
    transaction,
    candidates.filter(({ row }) => row.mode === 'sync').map(({ row }) => row.org_id),
  );
  const events = candidates
    .filter(({ row, type }) => row.mode !== 'sync' || listened(row.org_id, type))
    .map(({ row, type }) => ({
      orgId: row.org_id,
      type,
      subjectId: row.id,
      data: renderJobRecordObject(toJobRecord(row)),
      webhookUrl: row.webhook_url,
      webhookEvents: Array.isArray(row.webhook_events) ? (row.webhook_events as string[]) : null,
    }));
  return recordWebhookEvents(transaction, events);
}

/** Whether an enabled endpoint of the org receives the type (an endpoint with no list receives every type). */
async function subscribedTypes(transaction: Transaction<Database>, orgIds: string[]): Promise<(orgId: string, type: string) => boolean> {
  if (orgIds.length === 0) return () => false;
  const endpoints = await transaction
    .selectFrom('webhook_endpoints')
    .select(['org_id', 'events'])
    .where('org_id', 'in', [...new Set(orgIds)])
    .where('enabled', '=', true)
    .execute();
  return (orgId, type) =>
    endpoints.some(
      (endpoint) => endpoint.org_id === orgId && (!Array.isArray(endpoint.events) || endpoint.events.length === 0 || endpoint.events.includes(type)),
    );
}
