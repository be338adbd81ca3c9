import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

export const webhookEventTypes = [
  'job.completed',
  'job.failed',
  'job.cancelled',
  'job.expired',
  'batch.completed',
  'batch.failed',
  'batch.cancelled',
  'batch.expired',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** A terminal state that deserves an event, as its producer knows it. */
export type WebhookEventInput = {
  orgId: string;
  type: WebhookEventType;
  /** The job or batch id. */
  subjectId: string;
  /** The job or batch object as GET returns it at this moment. */
  data: unknown;
  /** The subject's own destination (a job's `webhook_url`, a batch's `metadata.webhook_url`). */
  webhookUrl?: string | null;
  /** Event types the subject's own URL receives; absent or null means all. */
  webhookEvents?: readonly string[] | null;
};

/** The `webhook-id` of the event: the same (type, subject) always gives the same id. */
export const webhookEventId = (type: string, subjectId: string): string => `msg_${digest(`${type}\n${subjectId}`)}`;

/** The id of one event's delivery to one destination: the same pair always gives the same id. */
export const webhookDeliveryId = (eventId: string, destination: string): string => `whd_${digest(`${eventId}\n${destination}`)}`;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 27);
}

/**
 * Records events and their deliveries in the caller's transaction: the one that makes the
 * subject terminal, so a crash either keeps both or neither. An event already recorded is
 * skipped with its deliveries (a replayed ledger batch changes nothing). Deliveries go to the
 * subject's own URL (signed with the org default secret) and to every enabled org endpoint
 * subscribed to the type (an endpoint with no event list receives every type). Returns the
 * number of deliveries created, so the caller may nudge the webhooks service.
 */
export async function recordWebhookEvents(
  transaction: Transaction<Database> | Kysely<Database>,
  events: readonly WebhookEventInput[],
  /** The enabled endpoints of the events' orgs, when the caller has loaded them already. */
  loaded?: readonly EnabledWebhookEndpoint[],
): Promise<number> {
  if (events.length === 0) return 0;
  const unique = [...new Map(events.map((event) => [webhookEventId(event.type, event.subjectId), event])).entries()];
  const inserted = await transaction
    .insertInto('webhook_events')
    .values(unique.map(([id, event]) => ({ id, org_id: event.orgId, type: event.type, subject_id: event.subjectId, data: JSON.stringify(event.data ?? null) })))
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returning(['id', 'created_at'])
    .execute();
  if (inserted.length === 0) return 0;
  const createdAt = new Map(inserted.map((row) => [row.id, row.created_at]));
  const fresh = unique.filter(([id]) => createdAt.has(id));
  const orgIds = [...new Set(fresh.map(([, event]) => event.orgId))];
  const endpoints = loaded ?? (await enabledWebhookEndpoints(transaction, orgIds));

  const deliveries = fresh.flatMap(([eventId, event]) => {
    const payload = JSON.stringify({ type: event.type, timestamp: createdAt.get(eventId)!.toISOString(), data: event.data ?? null });
    const row = (destination: string, url: string, endpointId: string | null) => ({
      id: webhookDeliveryId(eventId, destination),
      event_id: eventId,
      subject_id: event.subjectId,
      destination,
      org_id: event.orgId,
      endpoint_id: endpointId,
      url,
      event_type: event.type,
      payload,
      status: 'pending',
    });
    const own = event.webhookUrl && (!event.webhookEvents || event.webhookEvents.includes(event.type)) ? [row('url', event.webhookUrl, null)] : [];
    const subscribed = endpoints
      .filter((endpoint) => endpoint.org_id === event.orgId && subscribes(endpoint.events, event.type))
      .map((endpoint) => row(`endpoint:${endpoint.id}`, endpoint.url, endpoint.id));
    return [...own, ...subscribed];
  });
  if (deliveries.length === 0) return 0;
  await transaction
    .insertInto('webhook_deliveries')
    .values(deliveries)
    .onConflict((conflict) => conflict.columns(['event_id', 'destination']).doNothing())
    .execute();
  return deliveries.length;
}

export type EnabledWebhookEndpoint = { id: string; org_id: string; url: string; events: unknown };

/** The enabled org endpoints of these orgs: who may receive their events. */
export async function enabledWebhookEndpoints(
  transaction: Transaction<Database> | Kysely<Database>,
  orgIds: readonly string[],
): Promise<EnabledWebhookEndpoint[]> {
  if (orgIds.length === 0) return [];
  return transaction
    .selectFrom('webhook_endpoints')
    .select(['id', 'org_id', 'url', 'events'])
    .where('org_id', 'in', [...new Set(orgIds)])
    .where('enabled', '=', true)
    .execute();
}

/** An endpoint's `events`: a list of types; empty or absent means every type. */
export function subscribes(events: unknown, type: string): boolean {
  return !Array.isArray(events) || events.length === 0 || events.includes(type);
}
