import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookAttemptsTable, WebhookDeliveriesTable } from '../schema.ts';
import { afterCursor } from './keyset.ts';

export type WebhookAttempt = {
  attempt: number;
  /** `delivered` | `failed` | `refused` (the destination policy refused the address). */
  outcome: string;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  startedAt: Date;
};

/** One event to one destination, with every attempt made so far. */
export type WebhookDelivery = {
  id: string;
  /** The `webhook-id` header: the same on every attempt and every manual retry. */
  eventId: string;
  eventType: string;
  subjectId: string;
  url: string;
  endpointId: string | null;
  status: string;
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  attemptLog: WebhookAttempt[];
};

/** Whose deliveries: an org endpoint's, or a job's or batch's (to its own URL and to every endpoint). */
export type DeliveryScope = { endpointId: string } | { subjectId: string };

export type WebhookDeliveryPage = { data: WebhookDelivery[]; hasMore: boolean };

/** Newest first; `after` is the id of the last delivery of the previous page. Only the org's own. */
export async function listWebhookDeliveries(
  db: Kysely<Database>,
  orgId: string,
  scope: DeliveryScope,
  options: { limit: number; after?: string },
): Promise<WebhookDeliveryPage> {
  const scoped = () => {
    const query = db.selectFrom('webhook_deliveries').where('org_id', '=', orgId);
    return 'endpointId' in scope ? query.where('endpoint_id', '=', scope.endpointId) : query.where('subject_id', '=', scope.subjectId);
  };
  let query = scoped().selectAll();
  if (options.after) {
    const cursor = scoped().where('id', '=', options.after);
    // Same order as below; an unknown cursor matches nothing.
    query = query.where(afterCursor(cursor.select('created_at'), options.after, 'desc'));
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'asc')
    .limit(options.limit + 1)
    .execute();
  const page = rows.slice(0, options.limit);
  return { data: await withAttempts(db, page), hasMore: rows.length > options.limit };
}

/** The org's delivery with this id within the scope; anything else is absent. */
export async function findWebhookDelivery(db: Kysely<Database>, orgId: string, scope: DeliveryScope, id: string): Promise<WebhookDelivery | undefined> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  query = 'endpointId' in scope ? query.where('endpoint_id', '=', scope.endpointId) : query.where('subject_id', '=', scope.subjectId);
  const row = await query.executeTakeFirst();
  return row && (await withAttempts(db, [row]))[0];
}

/**
 * Sends a delivery again: back to `pending` in the outbox under a new generation, so the
 * webhooks service queues it as a job of its own (the earlier generation's job, if any,
 * is ignored) with the same `webhook-id`. Attempts keep counting. Undefined when the
 * delivery is not the org's or not in the scope.
 */
export async function retryWebhookDelivery(db: Kysely<Database>, orgId: string, scope: DeliveryScope, id: string): Promise<WebhookDelivery | undefined> {
  return db.transaction().execute(async (transaction) => {
    let update = transaction
      .updateTable('webhook_deliveries')
      .set((eb) => ({ status: 'pending', generation: eb('generation', '+', 1), enqueued_at: null, next_attempt_at: null }))
      .where('org_id', '=', orgId)
      .where('id', '=', id);
    update = 'endpointId' in scope ? update.where('endpoint_id', '=', scope.endpointId) : update.where('subject_id', '=', scope.subjectId);
    const row = await update.returningAll().executeTakeFirst();
    return row && (await withAttempts(transaction, [row]))[0];
  });
}

async function withAttempts(db: Kysely<Database>, rows: Selectable<WebhookDeliveriesTable>[]): Promise<WebhookDelivery[]> {
  if (rows.length === 0) return [];
  const attempts = await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where(
      'delivery_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('delivery_id')
    .orderBy('attempt')
    .orderBy('id')
    .execute();
  const byDelivery = new Map<string, Selectable<WebhookAttemptsTable>[]>();
  for (const attempt of attempts) byDelivery.set(attempt.delivery_id, [...(byDelivery.get(attempt.delivery_id) ?? []), attempt]);
  return rows.map((row) => toWebhookDelivery(row, byDelivery.get(row.id) ?? []));
}

function toWebhookDelivery(row: Selectable<WebhookDeliveriesTable>, attempts: Selectable<WebhookAttemptsTable>[]): WebhookDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    subjectId: row.subject_id,
    url: row.url,
    endpointId: row.endpoint_id,
    status: row.status,
    attempts: row.attempts,
    responseStatus: row.response_status,
    lastError: row.last_error,
    createdAt: row.created_at,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    attemptLog: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      outcome: attempt.outcome,
      responseStatus: attempt.response_status,
      durationMs: attempt.duration_ms,
      error: attempt.error,
      startedAt: attempt.started_at,
    })),
  };
}
