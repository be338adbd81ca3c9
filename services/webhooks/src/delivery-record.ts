import { openSecret } from '@switchyard/core';
import { getOrCreateOrgWebhookSecret, type Database, type Kysely } from '@switchyard/db';

/** A delivery as the worker needs it for one attempt. */
export type DeliveryForAttempt = {
  id: string;
  eventId: string;
  orgId: string;
  endpointId: string | null;
  url: string;
  payload: unknown;
  status: string;
  attempts: number;
  generation: number;
  nextAttemptAt: Date | null;
  eventCreatedAt: Date;
};

/** Loads a delivery with its event's creation time; undefined when it no longer exists. */
export async function loadDelivery(db: Kysely<Database>, deliveryId: string): Promise<DeliveryForAttempt | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries as delivery')
    .innerJoin('webhook_events as event', 'event.id', 'delivery.event_id')
    .select([
      'delivery.id',
      'delivery.event_id',
      'delivery.org_id',
      'delivery.endpoint_id',
      'delivery.url',
      'delivery.payload',
      'delivery.status',
      'delivery.attempts',
      'delivery.generation',
      'delivery.next_attempt_at',
      'event.created_at as event_created_at',
    ])
    .where('delivery.id', '=', deliveryId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    eventId: row.event_id,
    orgId: row.org_id,
    endpointId: row.endpoint_id,
    url: row.url,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    generation: row.generation,
    nextAttemptAt: row.next_attempt_at ? new Date(row.next_attempt_at) : null,
    eventCreatedAt: new Date(row.event_created_at),
  };
}

/** Where and how a delivery is sent, or why it is not sent at all. */
export type DeliveryTarget = { url: string; secrets: string[] } | { unsendable: string };

/**
 * The URL and signing secrets of a delivery, read at attempt time. An org endpoint signs
 * with its secret, plus the previous one while the rotation overlap lasts; it is sent to
 * its current URL, and not at all once disabled or deleted. A job's or batch's own URL
 * signs with the org default secret, made here if the org has none yet.
 */
export async function deliveryTarget(
  db: Kysely<Database>,
  delivery: DeliveryForAttempt,
  encryptionKey: string | undefined,
  now: Date,
): Promise<DeliveryTarget> {
  if (delivery.endpointId === null) {
    return { url: delivery.url, secrets: [await getOrCreateOrgWebhookSecret(db, delivery.orgId, encryptionKey)] };
  }
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .select(['url', 'secret', 'previous_secret', 'previous_secret_expires_at', 'enabled', 'disabled_reason'])
    .where('id', '=', delivery.endpointId)
    .executeTakeFirst();
  if (!endpoint) return { unsendable: 'the endpoint was deleted' };
  if (!endpoint.enabled) return { unsendable: `the endpoint is disabled${endpoint.disabled_reason ? `: ${endpoint.disabled_reason}` : ''}` };
  const secrets = [openSecret(endpoint.secret, encryptionKey)];
  const overlapEnds = endpoint.previous_secret_expires_at ? new Date(endpoint.previous_secret_expires_at) : undefined;
  if (endpoint.previous_secret && overlapEnds && overlapEnds > now) secrets.push(openSecret(endpoint.previous_secret, encryptionKey));
  return { url: endpoint.url, secrets };
}
