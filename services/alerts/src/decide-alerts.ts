import type { Alert, AlertCondition } from '@switchyard/db';
import { breaches } from './rule-conditions.ts';
import type { MetricSample } from './rule-metrics.ts';

/** What the decision needs of a rule. */
export type RuleToDecide = {
  enabled: boolean;
  condition: AlertCondition;
  threshold: number;
  cooldownMinutes: number;
  /** Only this provider's samples count; null: every sample. */
  provider: string | null;
};

export type AlertDecision =
  /** A subject starts breaching: a firing alert, notified unless the (rule, subject) was notified within the cooldown. */
  | { kind: 'fire'; subject: string; value: number; notify: boolean }
  /** Still breaching: the latest value, and a repeat notification once the cooldown since the last one has passed. */
  | { kind: 'keep'; alert: Alert; value: number; notify: boolean }
  /** No longer breaching (or no longer measured, or the rule disabled): resolved, notified when its firing was. */
  | { kind: 'resolve'; alert: Alert; notify: boolean };

export type DecideAlertsInput = {
  rule: RuleToDecide;
  /** The metric's samples; undefined when it could not be read this time, which changes nothing. */
  samples: readonly MetricSample[] | undefined;
  /** The rule's firing alerts. */
  firing: readonly Alert[];
  /** When the (rule, subject) was last notified as fired, by any of its alerts. */
  lastNotifiedAt: (subject: string) => Date | undefined;
  now: Date;
};

/**
 * One rule's evaluation, per subject. The cooldown bounds `alert.fired` notifications per
 * (rule, subject) to one per `cooldown_minutes`: a still-firing alert is notified again
 * when it has passed (unless acknowledged), and a subject that flaps (resolves and fires
 * again within it) raises a new alert without a new notification. `0` notifies at every
 * evaluation. A metric that could not be read decides nothing, so an outage of Redis or
 * Postgres neither fires nor resolves anything.
 */
export function decideAlerts(input: DecideAlertsInput): AlertDecision[] {
  const { rule, samples, now } = input;
  if (samples === undefined && rule.enabled) return [];
  const cooledDown = (subject: string): boolean => {
    const last = input.lastNotifiedAt(subject);
    return last === undefined || now.getTime() - last.getTime() >= rule.cooldownMinutes * 60_000;
  };
  const breaching = new Map<string, number>();
  if (rule.enabled)
    for (const sample of samples ?? []) {
      if (rule.provider !== null && sample.provider !== rule.provider) continue;
      if (Number.isFinite(sample.value) && breaches(sample.value, rule.condition, rule.threshold)) breaching.set(sample.subject, sample.value);
    }
  const decisions: AlertDecision[] = [];
  const firingSubjects = new Set<string>();
  for (const alert of input.firing) {
    firingSubjects.add(alert.subject);
    const value = breaching.get(alert.subject);
    if (value === undefined) decisions.push({ kind: 'resolve', alert, notify: alert.lastNotifiedAt !== null });
    else decisions.push({ kind: 'keep', alert, value, notify: alert.acknowledgedAt === null && cooledDown(alert.subject) });
  }
  for (const [subject, value] of breaching) if (!firingSubjects.has(subject)) decisions.push({ kind: 'fire', subject, value, notify: cooledDown(subject) });
  return decisions;
}
