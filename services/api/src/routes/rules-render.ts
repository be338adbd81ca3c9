import type { AlertRule } from '@switchyard/db';

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** The public alert rule object; its webhook signing secret only when just made (create, rotate). */
export function renderRule(rule: AlertRule, secret?: string) {
  return {
    id: rule.id,
    object: 'alert_rule' as const,
    name: rule.name,
    metric: rule.metric,
    condition: rule.condition,
    threshold: Number(rule.threshold),
    severity: rule.severity,
    cooldown_minutes: rule.cooldownMinutes,
    channels: rule.channels,
    enabled: rule.enabled,
    builtin: rule.builtin,
    provider: rule.provider,
    created_at: seconds(rule.createdAt),
    updated_at: seconds(rule.updatedAt),
    ...(secret ? { webhook_secret: secret } : {}),
  };
}
