import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** A delivery as the operators' dashboard lists it: where to only by host, since a URL may carry a token. */
export type RecentWebhookDelivery = {
  id: string;
  org_id: string;
  event_type: string;
  subject_id: string;
  /** The destination's host (and port); the rest of the URL is left out. */
  host: string;
  /** `pending` | `retrying` | `delivered` | `failed`. */
  status: string;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  created_at: Date;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
};

/** How far back in the attempts log to look for the deliveries to show. */
const attemptsPerDelivery = 4;

/**
 * The deliveries attempted most recently, across every org, newest attempt first. They are
 * found from the attempts log (its serial key is in attempt order), so no scan of the
 * deliveries table is needed; deliveries not attempted yet are counted by the queue's depth
 * and by `webhookOutboxBacklog`.
 */
export async function recentWebhookDeliveries(db: Kysely<Database>, options: { limit: number }): Promise<RecentWebhookDelivery[]> {
  const latestAttempts = db
    .selectFrom('webhook_attempts')
    .select('delivery_id')
    .orderBy('id', 'desc')
    .limit(options.limit * attemptsPerDelivery);
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select([
      'id',
      'org_id',
      'event_type',
      'subject_id',
      'url',
      'status',
      'attempts',
      'response_status',
      'last_error',
      'created_at',
      'last_attempt_at',
      'next_attempt_at',
    ])
    .where('id', 'in', latestAttempts)
    .orderBy('last_attempt_at', (order) => order.desc().nullsLast())
    .orderBy('id')
    .limit(options.limit)
    .execute();
  return rows.map(({ url, ...delivery }) => ({ ...delivery, host: hostOf(url) }));
}

/** Deliveries recorded but not yet moved onto the webhooks queue (the webhooks service is behind or down). */
export async function webhookOutboxBacklog(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('enqueued_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unparsable URL';
  }
}
