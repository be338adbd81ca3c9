import type { AlertRuleInput } from '@switchyard/db';

/**
 * The rules every deployment starts with, created by the evaluator at its start when
 * missing (fixed ids, so it is idempotent). Operators may change or disable them; they
 * are not deleted, since the next start would bring them back. They notify the log.
 */
export const builtinAlertRules: ReadonlyArray<AlertRuleInput & { id: string }> = [
  rule('rule_builtin_breaker_open', 'breaker-open', 'breaker_open', '>', '0', 'critical'),
  rule('rule_builtin_provider_error_ratio', 'provider-error-ratio', 'provider_error_ratio', '>', '0.5', 'warning'),
  rule('rule_builtin_queue_wait', 'queue-wait', 'queue_wait_seconds', '>', '60', 'warning'),
  rule('rule_builtin_ledger_lag', 'ledger-lag', 'ledger_lag', '>', '1000', 'warning'),
  rule('rule_builtin_budget_80', 'budget-80-percent', 'budget_used_ratio', '>=', '0.8', 'warning'),
  rule('rule_builtin_budget_100', 'budget-exhausted', 'budget_used_ratio', '>=', '1', 'critical'),
];

function rule(
  id: string,
  name: string,
  metric: string,
  condition: AlertRuleInput['condition'],
  threshold: string,
  severity: AlertRuleInput['severity'],
): AlertRuleInput & { id: string } {
  return { id, name, metric, condition, threshold, severity, cooldownMinutes: 15, channels: [{ type: 'log' }] };
}
