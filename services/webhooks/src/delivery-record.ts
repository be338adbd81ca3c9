import { openSecret } from '@switchyard/core';
import { alertSigningSecret, getOrCreateOrgWebhookSecret, operatorWebhookScope, type Database, type Kysely } from '@switchyard/db';

/** A delivery as the worker needs it for one attempt, with where and how it is sent. */
export type DeliveryForAttempt = {
  id: string;
  eventId: string;
  orgId: string;
  endpointId: string | null;
  payload: unknown;
  status: string;
  attempts: number;
  generation: number;
  nextAttemptAt: Date | null;
  eventCreatedAt: Date;
  target: DeliveryTarget;
};

/** Where and how a delivery is sent, or why it is not sent at all. */
export type DeliveryTarget = { url: string; secrets: string[] } | { unsendable: string };

/**
 * Loads a delivery with everything one attempt needs, in one query (plus one insert the
 * first time an org needs its default secret); undefined when it no longer exists. An org
 * endpoint signs with its secret, plus the previous one while the rotation overlap lasts,
 * and is sent to its current URL, and not at all once disabled or deleted. A job's or
 * batch's own URL signs with the org default secret, made here if the org has none yet.
 * An alert notification (the operator scope) signs with its alert rule's secret.
 */
export async function loadDelivery(
  db: Kysely<Database>,
  deliveryId: string,
  encryptionKey: string | undefined,
  now: Date,
): Promise<DeliveryForAttempt | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries as delivery')
    .innerJoin('webhook_events as event', 'event.id', 'delivery.event_id')
    .leftJoin('webhook_endpoints as endpoint', 'endpoint.id', 'delivery.endpoint_id')
    .leftJoin('org_webhook_secrets as org_secret', 'org_secret.org_id', 'delivery.org_id')
    .select([
      'delivery.id',
      'delivery.event_id',
      'delivery.org_id',
      'delivery.subject_id',
      'delivery.endpoint_id',
      'delivery.url',
      'delivery.payload',
      'delivery.status',
      'delivery.attempts',
      'delivery.generation',
      'delivery.next_attempt_at',
      'event.created_at as event_created_at',
      'endpoint.url as endpoint_url',
      'endpoint.secret as endpoint_secret',
      'endpoint.previous_secret',
      'endpoint.previous_secret_expires_at',
      'endpoint.enabled as endpoint_enabled',
      'endpoint.disabled_reason as endpoint_disabled_reason',
      'org_secret.secret as org_secret',
    ])
    .where('delivery.id', '=', deliveryId)
    .executeTakeFirst();
  if (!row) return undefined;
  let target: DeliveryTarget;
  if (row.org_id === operatorWebhookScope) {
    const secret = await alertSigningSecret(db, row.subject_id, encryptionKey);
    target = secret ? { url: row.url, secrets: [secret] } : { unsendable: 'the alert rule was deleted' };
  } else if (row.endpoint_id === null) {
    const secret = row.org_secret ? openSecret(row.org_secret, encryptionKey) : await getOrCreateOrgWebhookSecret(db, row.org_id, encryptionKey);
    target = { url: row.url, secrets: [secret] };
  } else if (row.endpoint_url === null || row.endpoint_secret === null) {
    target = { unsendable: 'the endpoint was deleted' };
  } else if (!row.endpoint_enabled) {
    target = { unsendable: `the endpoint is disabled${row.endpoint_disabled_reason ? `: ${row.endpoint_disabled_reason}` : ''}` };
  } else {
    const secrets = [openSecret(row.endpoint_secret, encryptionKey)];
    const overlapEnds = row.previous_secret_expires_at ? new Date(row.previous_secret_expires_at) : undefined;
    if (row.previous_secret && overlapEnds && overlapEnds > now) secrets.push(openSecret(row.previous_secret, encryptionKey));
    target = { url: row.endpoint_url, secrets };
  }
  return {
    id: row.id,
    eventId: row.event_id,
    orgId: row.org_id,
    endpointId: row.endpoint_id,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    generation: row.generation,
    nextAttemptAt: row.next_attempt_at ? new Date(row.next_attempt_at) : null,
    eventCreatedAt: new Date(row.event_created_at),
    target,
  };
}
