import { openSecret } from '@switchyard/core';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AlertsTable, Database } from '../schema.ts';
import type { AlertCondition, AlertSeverity } from './alert-rules.ts';
import { webhookDeliveryId, webhookEventId } from './webhook-outbox.ts';

/**
 * The `org_id` of alert webhook events and deliveries: alerts belong to the operator, not to
 * an org, so no org's listing shows them, and the delivery service signs them with the rule's
 * secret instead of an org's.
 */
export const operatorWebhookScope = 'operator';

export const alertEventTypes = ['alert.fired', 'alert.resolved'] as const;
export type AlertEventType = (typeof alertEventTypes)[number];

export type Alert = {
  id: string;
  ruleId: string;
  subject: string;
  status: 'firing' | 'resolved';
  value: number;
  firedAt: Date;
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  lastNotifiedAt: Date | null;
  notifications: number;
};

/** An alert with what its rule says about it, for listings. */
export type ListedAlert = Alert & { ruleName: string; metric: string; condition: AlertCondition; threshold: string; severity: AlertSeverity };

/** One notification for the webhook outbox: its event and the URLs of the rule's webhook channels. */
export type AlertNotification = {
  type: AlertEventType;
  /** Unique per notification of the alert (`<alert id>#<n>` for the n-th fired one), so each gets its own `webhook-id`. */
  eventKey: string;
  /** The event's `data`. */
  data: unknown;
  urls: readonly string[];
};

export type AlertStatusFilter = 'active' | 'resolved' | 'all';

/** Newest first; `active` is every alert still firing. */
export async function listAlerts(
  db: Kysely<Database>,
  options: { status: AlertStatusFilter; limit: number },
): Promise<{ data: ListedAlert[]; hasMore: boolean }> {
  let query = db
    .selectFrom('alerts')
    .innerJoin('alert_rules as rule', 'rule.id', 'alerts.rule_id')
    .selectAll('alerts')
    .select(['rule.name as rule_name', 'rule.metric', 'rule.condition', 'rule.threshold', 'rule.severity']);
  if (options.status !== 'all') query = query.where('alerts.status', '=', options.status === 'active' ? 'firing' : 'resolved');
  const rows = await query
    .orderBy('alerts.fired_at', 'desc')
    .orderBy('alerts.id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return {
    data: rows.slice(0, options.limit).map((row) => ({
      ...toAlert(row),
      ruleName: row.rule_name,
      metric: row.metric,
      condition: row.condition as AlertCondition,
      threshold: row.threshold,
      severity: row.severity as AlertSeverity,
    })),
    hasMore: rows.length > options.limit,
  };
}

export async function findAlert(db: Kysely<Database>, id: string): Promise<Alert | undefined> {
  const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAlert(row);
}

/** Every alert still firing. */
export async function firingAlerts(db: Kysely<Database>): Promise<Alert[]> {
  return (await db.selectFrom('alerts').selectAll().where('status', '=', 'firing').execute()).map(toAlert);
}

/** Firing alerts by the severity of their rule, for the health summary. */
export async function activeAlertCounts(db: Kysely<Database>): Promise<Record<AlertSeverity, number> & { total: number }> {
  const rows = await db
    .selectFrom('alerts')
    .innerJoin('alert_rules as rule', 'rule.id', 'alerts.rule_id')
    .select(['rule.severity', sql<string>`count(*)`.as('count')])
    .where('alerts.status', '=', 'firing')
    .groupBy('rule.severity')
    .execute();
  const counts = { total: 0, critical: 0, warning: 0, info: 0 };
  for (const row of rows) {
    const count = Number(row.count);
    counts.total += count;
    if (row.severity === 'critical' || row.severity === 'warning' || row.severity === 'info') counts[row.severity] += count;
  }
  return counts;
}

/** When each (rule, subject) was last notified as fired, since `since`: keyed `<rule id>\n<subject>`. */
export async function lastAlertNotifications(db: Kysely<Database>, since: Date): Promise<Map<string, Date>> {
  const rows = await db
    .selectFrom('alerts')
    .select(['rule_id', 'subject', sql<Date>`max(last_notified_at)`.as('at')])
    .where('last_notified_at', '>=', since)
    .groupBy(['rule_id', 'subject'])
    .execute();
  return new Map(rows.map((row) => [alertPairKey(row.rule_id, row.subject), new Date(row.at)]));
}

export const alertPairKey = (ruleId: string, subject: string): string => `${ruleId}\n${subject}`;

/**
 * Records a new firing alert, with its notification in the outbox when one is due, in one
 * transaction. False when the (rule, subject) already has a firing alert (another evaluator
 * raised it a moment ago): nothing is written then.
 */
export async function openAlert(
  db: Kysely<Database>,
  alert: { id: string; ruleId: string; subject: string; value: number; firedAt: Date },
  notification: AlertNotification | undefined,
): Promise<boolean> {
  return db.transaction().execute(async (transaction) => {
    const inserted = await transaction
      .insertInto('alerts')
      .values({
        id: alert.id,
        rule_id: alert.ruleId,
        subject: alert.subject,
        status: 'firing',
        value: alert.value,
        fired_at: alert.firedAt,
        last_notified_at: notification ? alert.firedAt : null,
        notifications: notification ? 1 : 0,
      })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return false;
    if (notification) await recordAlertEvent(transaction, alert.id, notification, alert.firedAt);
    return true;
  });
}

/** A firing alert's latest value, and when a repeat notification is due, that notification. */
export async function refreshAlert(
  db: Kysely<Database>,
  alert: { id: string; value: number; at: Date },
  notification: AlertNotification | undefined,
): Promise<void> {
  await db.transaction().execute(async (transaction) => {
    const updated = await transaction
      .updateTable('alerts')
      .set((update) => ({
        value: alert.value,
        ...(notification ? { last_notified_at: alert.at, notifications: sql<number>`${update.ref('notifications')} + 1` } : {}),
      }))
      .where('id', '=', alert.id)
      .where('status', '=', 'firing')
      .returning('id')
      .executeTakeFirst();
    if (updated && notification) await recordAlertEvent(transaction, alert.id, notification, alert.at);
  });
}

/** Resolves a firing alert, with its notification when given; false when it was not firing any more. */
export async function resolveAlert(db: Kysely<Database>, alert: { id: string; at: Date }, notification: AlertNotification | undefined): Promise<boolean> {
  return db.transaction().execute(async (transaction) => {
    const updated = await transaction
      .updateTable('alerts')
      .set({ status: 'resolved', resolved_at: alert.at })
      .where('id', '=', alert.id)
      .where('status', '=', 'firing')
      .returning('id')
      .executeTakeFirst();
    if (!updated) return false;
    if (notification) await recordAlertEvent(transaction, alert.id, notification, alert.at);
    return true;
  });
}

/** Marks the alert acknowledged (the first acknowledgment stands); undefined when there is no such alert. */
export async function acknowledgeAlert(db: Kysely<Database>, id: string, by: string, at: Date): Promise<Alert | undefined> {
  await db.updateTable('alerts').set({ acknowledged_at: at, acknowledged_by: by }).where('id', '=', id).where('acknowledged_at', 'is', null).execute();
  return findAlert(db, id);
}

/** The plaintext secret that signs the notifications of this alert (its rule's); undefined once the rule is gone. */
export async function alertSigningSecret(db: Kysely<Database>, alertId: string, encryptionKey: string | undefined): Promise<string | undefined> {
  const row = await db
    .selectFrom('alerts')
    .innerJoin('alert_rules as rule', 'rule.id', 'alerts.rule_id')
    .select('rule.webhook_secret')
    .where('alerts.id', '=', alertId)
    .executeTakeFirst();
  return row && openSecret(row.webhook_secret, encryptionKey);
}

/**
 * The notification, when the rule has webhook channels, as a webhook event of the operator
 * scope and one delivery per channel, which the webhooks service then signs, sends and retries like any other. The
 * event id derives from the notification, so writing it again changes nothing.
 */
async function recordAlertEvent(transaction: Transaction<Database>, alertId: string, notification: AlertNotification, at: Date): Promise<void> {
  if (notification.urls.length === 0) return;
  const eventId = webhookEventId(notification.type, notification.eventKey);
  const inserted = await transaction
    .insertInto('webhook_events')
    .values({
      id: eventId,
      org_id: operatorWebhookScope,
      type: notification.type,
      subject_id: alertId,
      data: JSON.stringify(notification.data),
      created_at: at,
    })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return;
  const payload = JSON.stringify({ type: notification.type, timestamp: at.toISOString(), data: notification.data });
  await transaction
    .insertInto('webhook_deliveries')
    .values(
      notification.urls.map((url, index) => ({
        id: webhookDeliveryId(eventId, `channel:${index}`),
        event_id: eventId,
        subject_id: alertId,
        destination: `channel:${index}`,
        org_id: operatorWebhookScope,
        endpoint_id: null,
        url,
        event_type: notification.type,
        payload,
        status: 'pending',
      })),
    )
    .onConflict((conflict) => conflict.columns(['event_id', 'destination']).doNothing())
    .execute();
}

function toAlert(row: Selectable<AlertsTable>): Alert {
  return {
    id: row.id,
    ruleId: row.rule_id,
    subject: row.subject,
    status: row.status === 'resolved' ? 'resolved' : 'firing',
    value: Number(row.value),
    firedAt: row.fired_at,
    resolvedAt: row.resolved_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    lastNotifiedAt: row.last_notified_at,
    notifications: row.notifications,
  };
}
