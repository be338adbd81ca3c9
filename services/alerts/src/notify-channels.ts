import type { Alert, AlertEventType, AlertNotification, AlertRule } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import { renderAlert } from './alert-object.ts';
import type { EvaluatorMetrics } from './evaluator-metrics.ts';

/** One notification of one alert, on every channel of its rule. */
export type AlertNotice = { type: AlertEventType; eventKey: string; rule: AlertRule; alert: Alert };

/** The notification for the webhook outbox: the event's data is the alert object, sent to each webhook channel. */
export function webhookNotification(notice: AlertNotice): AlertNotification {
  return {
    type: notice.type,
    eventKey: notice.eventKey,
    data: renderAlert(notice.alert, notice.rule),
    urls: notice.rule.channels.flatMap((channel) => (channel.type === 'webhook' ? [channel.url] : [])),
  };
}

/**
 * The channels that act once the alert's change is committed: a `log` channel writes one
 * structured line (warn when fired, error when critical, info when resolved); webhook
 * deliveries were written with the change and are only counted here.
 */
export function announce(notice: AlertNotice, logger: Logger, metrics: EvaluatorMetrics): void {
  const { rule, alert, type } = notice;
  for (const channel of rule.channels) metrics.notifications.inc({ type, channel: channel.type });
  if (!rule.channels.some((channel) => channel.type === 'log')) return;
  const details = { event: type, alert: renderAlert(alert, rule) };
  const message = `alert ${type === 'alert.fired' ? 'fired' : 'resolved'}: ${rule.name} on ${alert.subject} (${rule.metric} ${alert.value} ${rule.condition} ${rule.threshold})`;
  if (type === 'alert.resolved') logger.info(details, message);
  else if (rule.severity === 'critical') logger.error(details, message);
  else logger.warn(details, message);
}
