import type { Alert, AlertRule } from '@switchyard/db';

const seconds = (date: Date | null): number | null => (date ? Math.floor(date.getTime() / 1000) : null);

/** What an alert's object tells of its rule. */
export type AlertRuleSummary = Pick<AlertRule, 'id' | 'name' | 'metric' | 'condition' | 'threshold' | 'severity'>;

/** The public alert object: GET /v1/alerts and the `data` of `alert.fired` / `alert.resolved` events. */
export function renderAlert(alert: Alert, rule: AlertRuleSummary) {
  return {
    id: alert.id,
    object: 'alert' as const,
    rule_id: rule.id,
    rule_name: rule.name,
    metric: rule.metric,
    condition: rule.condition,
    threshold: Number(rule.threshold),
    severity: rule.severity,
    subject: alert.subject,
    status: alert.status,
    value: alert.value,
    fired_at: seconds(alert.firedAt),
    resolved_at: seconds(alert.resolvedAt),
    acknowledged_at: seconds(alert.acknowledgedAt),
    acknowledged_by: alert.acknowledgedBy,
    last_notified_at: seconds(alert.lastNotifiedAt),
  };
}
