import { newId, sealSecret } from '@switchyard/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookEndpointsTable } from '../schema.ts';
import { newWebhookSecret } from './org-webhook-secrets.ts';
import { afterCursor } from './keyset.ts';

/** An org webhook endpoint as its owner may see it: never its secrets. */
export type WebhookEndpoint = {
  id: string;
  orgId: string;
  url: string;
  /** Event types it receives; empty means every type. */
  events: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date | null;
  /** Until when the secret before the last rotation still signs deliveries. */
  previousSecretExpiresAt: Date | null;
};

export type WebhookEndpointPage = { data: WebhookEndpoint[]; hasMore: boolean };

/** A new endpoint and its signing secret in plaintext: the only time the secret is given out. */
export async function createWebhookEndpoint(
  db: Kysely<Database>,
  input: { orgId: string; url: string; events: readonly string[]; description: string | null },
  encryptionKey: string | undefined,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = newWebhookSecret();
  const row = await db
    .insertInto('webhook_endpoints')
    .values({
      id: newId('we'),
      org_id: input.orgId,
      url: input.url,
      events: JSON.stringify(input.events),
      description: input.description,
      secret: sealSecret(secret, encryptionKey),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { endpoint: toWebhookEndpoint(row), secret };
}

/** The org's endpoint with this id; another org's is as absent as an unknown one. */
export async function findWebhookEndpoint(db: Kysely<Database>, orgId: string, id: string): Promise<WebhookEndpoint | undefined> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row && toWebhookEndpoint(row);
}

/** Oldest first (the order they were added); `after` is the id of the last endpoint of the previous page. */
export async function listWebhookEndpoints(db: Kysely<Database>, orgId: string, options: { limit: number; after?: string }): Promise<WebhookEndpointPage> {
  let query = db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId);
  if (options.after) {
    const cursor = db.selectFrom('webhook_endpoints').where('org_id', '=', orgId).where('id', '=', options.after);
    query = query.where(afterCursor(cursor.select('created_at'), options.after, 'asc'));
  }
  const rows = await query
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .limit(options.limit + 1)
    .execute();
  return { data: rows.slice(0, options.limit).map(toWebhookEndpoint), hasMore: rows.length > options.limit };
}

export type WebhookEndpointPatch = { url?: string; events?: readonly string[]; description?: string | null; enabled?: boolean };

/**
 * Changes only the fields present. Enabling an endpoint clears why it was disabled (the
 * delivery service disables one that keeps failing); disabling it by hand records that.
 */
export async function updateWebhookEndpoint(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  patch: WebhookEndpointPatch,
): Promise<WebhookEndpoint | undefined> {
  const changes = {
    ...(patch.url !== undefined ? { url: patch.url } : {}),
    ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.enabled === true ? { enabled: true, disabled_reason: null } : {}),
    ...(patch.enabled === false ? { enabled: false, disabled_reason: 'disabled through the API' } : {}),
  };
  if (Object.keys(changes).length === 0) return findWebhookEndpoint(db, orgId, id);
  const row = await db
    .updateTable('webhook_endpoints')
    .set({ ...changes, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && toWebhookEndpoint(row);
}

/** Deletes the org's endpoint; false when there was none. Its deliveries stay listed; pending ones are not sent. */
export async function deleteWebhookEndpoint(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  const deleted = await db.deleteFrom('webhook_endpoints').where('org_id', '=', orgId).where('id', '=', id).returning('id').executeTakeFirst();
  return deleted !== undefined;
}

/**
 * Gives the endpoint a new secret (returned in plaintext, once). The current one becomes the
 * previous secret and keeps signing, beside the new one, for `overlapSeconds`, so receivers
 * can switch without losing a delivery. Done in one statement, so two rotations at once
 * cannot lose the secret in between.
 */
export async function rotateWebhookEndpointSecret(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  options: { encryptionKey: string | undefined; overlapSeconds: number; now?: Date },
): Promise<{ endpoint: WebhookEndpoint; secret: string } | undefined> {
  const secret = newWebhookSecret();
  const now = options.now ?? new Date();
  const row = await db
    .updateTable('webhook_endpoints')
    .set((update) => ({
      previous_secret: update.ref('secret'),
      previous_secret_expires_at: new Date(now.getTime() + options.overlapSeconds * 1000),
      secret: sealSecret(secret, options.encryptionKey),
      updated_at: now,
    }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && { endpoint: toWebhookEndpoint(row), secret };
}

function toWebhookEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: row.id,
    orgId: row.org_id,
    url: row.url,
    events: Array.isArray(row.events) ? (row.events as string[]) : [],
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    previousSecretExpiresAt: row.previous_secret_expires_at,
  };
}
