import { newId } from '@switchyard/core';
import {
  alertPairKey,
  firingAlerts,
  lastAlertNotifications,
  listAlertRules,
  openAlert,
  refreshAlert,
  resolveAlert,
  type Alert,
  type AlertRule,
  type Database,
  type Kysely,
} from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import { decideAlerts, type AlertDecision } from './decide-alerts.ts';
import type { EvaluatorMetrics } from './evaluator-metrics.ts';
import { announce, webhookNotification, type AlertNotice } from './notify-channels.ts';
import { isRuleMetric } from './rule-metrics.ts';
import type { RuleMetricReader } from './rule-metrics-reader.ts';

export type EvaluationDeps = { db: Kysely<Database>; reader: RuleMetricReader; logger: Logger; metrics: EvaluatorMetrics };

/** What one pass did: alerts fired and resolved, and webhook notifications written to the outbox. */
export type EvaluationResult = { fired: number; resolved: number; webhookNotices: number };

/**
 * One pass over every rule: reads the metrics the enabled rules need (each once), decides
 * per (rule, subject) and writes each change with its webhook notifications in one
 * transaction, then writes the log channels' lines. Run by the leader only.
 */
export async function evaluateRules(deps: EvaluationDeps, now: Date): Promise<EvaluationResult> {
  const { db, logger } = deps;
  const [rules, firing] = await Promise.all([listAlertRules(db), firingAlerts(db)]);
  const metrics = rules.filter((rule) => rule.enabled).flatMap((rule) => (isRuleMetric(rule.metric) ? [rule.metric] : []));
  const readings = await deps.reader.read(metrics, now);
  for (const [metric, reading] of readings)
    if ('error' in reading) logger.warn({ metric, err: reading.error }, 'alert metric could not be read; its rules are skipped this time');
  const longestCooldown = Math.max(0, ...rules.map((rule) => rule.cooldownMinutes));
  const notified = await lastAlertNotifications(db, new Date(now.getTime() - longestCooldown * 60_000));
  const firingByRule = Map.groupBy(firing, (alert) => alert.ruleId);

  const result: EvaluationResult = { fired: 0, resolved: 0, webhookNotices: 0 };
  for (const rule of rules) {
    const reading = isRuleMetric(rule.metric) ? readings.get(rule.metric) : undefined;
    const decisions = decideAlerts({
      rule: { ...rule, threshold: Number(rule.threshold) },
      samples: reading && 'samples' in reading ? reading.samples : undefined,
      firing: firingByRule.get(rule.id) ?? [],
      lastNotifiedAt: (subject) => notified.get(alertPairKey(rule.id, subject)),
      now,
    });
    for (const decision of decisions) {
      const notice = await apply(db, rule, decision, now);
      if (decision.kind === 'fire' && notice !== 'unchanged') result.fired += 1;
      if (decision.kind === 'resolve' && notice !== 'unchanged') result.resolved += 1;
      if (!notice || notice === 'unchanged') continue;
      announce(notice, logger, deps.metrics);
      if (rule.channels.some((channel) => channel.type === 'webhook')) result.webhookNotices += 1;
    }
  }
  return result;
}

/** Writes one decision; its notice when one went out, undefined when none was due, 'unchanged' when another evaluator got there first. */
async function apply(db: Kysely<Database>, rule: AlertRule, decision: AlertDecision, now: Date): Promise<AlertNotice | undefined | 'unchanged'> {
  switch (decision.kind) {
    case 'fire': {
      const alert: Alert = {
        id: newId('alert'),
        ruleId: rule.id,
        subject: decision.subject,
        status: 'firing',
        value: decision.value,
        firedAt: now,
        resolvedAt: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        lastNotifiedAt: decision.notify ? now : null,
        notifications: decision.notify ? 1 : 0,
      };
      const notice: AlertNotice | undefined = decision.notify ? { type: 'alert.fired', eventKey: `${alert.id}#1`, rule, alert } : undefined;
      const opened = await openAlert(db, alert, notice && webhookNotification(notice));
      return opened ? notice : 'unchanged';
    }
    case 'keep': {
      if (!decision.notify && decision.value === decision.alert.value) return undefined;
      const notifications = decision.alert.notifications + (decision.notify ? 1 : 0);
      const alert: Alert = { ...decision.alert, value: decision.value, ...(decision.notify ? { lastNotifiedAt: now, notifications } : {}) };
      const notice: AlertNotice | undefined = decision.notify ? { type: 'alert.fired', eventKey: `${alert.id}#${notifications}`, rule, alert } : undefined;
      await refreshAlert(db, { id: alert.id, value: alert.value, at: now }, notice && webhookNotification(notice));
      return notice;
    }
    case 'resolve': {
      const alert: Alert = { ...decision.alert, status: 'resolved', resolvedAt: now };
      const notice: AlertNotice | undefined = decision.notify ? { type: 'alert.resolved', eventKey: alert.id, rule, alert } : undefined;
      const resolved = await resolveAlert(db, { id: alert.id, at: now }, notice && webhookNotification(notice));
      return resolved ? notice : 'unchanged';
    }
  }
}
