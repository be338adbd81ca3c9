export { startAlerts, type AlertsDeps, type RunningAlerts } from './start-alerts.ts';
export { renderAlert } from './alert-object.ts';
export { conditionSpellings, normalizeCondition } from './rule-conditions.ts';
export { isRuleMetric, ruleMetrics, ruleMetricNames, type RuleMetric } from './rule-metrics.ts';
