import type { Database, Kysely } from '@switchyard/db';
import type { DeliveryDecision } from './decide-delivery.ts';

export type AttemptRecord = {
  deliveryId: string;
  generation: number;
  /** The delivery's attempt count once this one is counted (all generations). */
  attempt: number;
  url: string;
  endpointId: string | null;
  startedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  decision: DeliveryDecision;
};

/**
 * One attempt's trace, in one statement (so one round trip, and atomic like a transaction):
 * its `webhook_attempts` row, the delivery's new state (attempts, status, last status and
 * error, when it was tried and when it is tried next) and, for a 410 from an org endpoint,
 * the endpoint disabled. The delivery changes only while it is still in the generation that
 * was tried and not final, so a manual retry made meanwhile is not overwritten. Resolves to
 * whether the delivery changed.
 */
export async function recordAttempt(db: Kysely<Database>, record: AttemptRecord, now: Date): Promise<boolean> {
  const { decision } = record;
  const error = decision.status === 'delivered' ? null : decision.error;
  const disable =
    decision.status === 'failed' && decision.disableEndpoint && record.endpointId ? { id: record.endpointId, reason: decision.disableEndpoint } : undefined;
  const updated = await db
    .with('attempt', (creator) =>
      creator.insertInto('webhook_attempts').values({
        delivery_id: record.deliveryId,
        attempt: record.attempt,
        outcome: decision.outcome,
        response_status: record.responseStatus,
        duration_ms: record.durationMs,
        error,
        started_at: record.startedAt,
      }),
    )
    .with('endpoint', (creator) =>
      creator
        .updateTable('webhook_endpoints')
        .set({ enabled: false, disabled_reason: disable?.reason ?? null, updated_at: now })
        // Matches nothing unless this attempt disables the endpoint.
        .where('id', '=', disable?.id ?? '')
        .where('id', '!=', ''),
    )
    .updateTable('webhook_deliveries')
    .set({
      attempts: record.attempt,
      status: decision.status,
      url: record.url,
      response_status: record.responseStatus,
      last_error: error,
      last_attempt_at: record.startedAt,
      next_attempt_at: decision.status === 'retrying' ? new Date(now.getTime() + decision.delayMs) : null,
      delivered_at: decision.status === 'delivered' ? now : null,
    })
    .where('id', '=', record.deliveryId)
    .where('generation', '=', record.generation)
    .where('status', 'not in', ['delivered', 'failed'])
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** A delivery that will never be sent (its endpoint disabled or deleted, a URL no one can reach): failed with the reason, no attempt made. */
export async function failWithoutAttempt(db: Kysely<Database>, delivery: { id: string; generation: number }, reason: string): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', last_error: reason, next_attempt_at: null })
    .where('id', '=', delivery.id)
    .where('generation', '=', delivery.generation)
    .where('status', 'not in', ['delivered', 'failed'])
    .execute();
}
