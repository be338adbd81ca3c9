export type { Kysely, Transaction } from 'kysely';
export { createDb, type DbHandle } from './create-db.ts';
export { migrateToLatest } from './migrate.ts';
export type * from './schema.ts';
export { createOrg, findOrgsByIdOrName, getOrg, listOrgs, updateOrg, type Org, type OrgLimits } from './repositories/orgs.ts';
export {
  createApiKey,
  findActiveApiKey,
  hashApiKey,
  listApiKeys,
  revokeApiKey,
  type ActiveApiKey,
  type ApiKeySummary,
  type CreatedApiKey,
} from './repositories/api-keys.ts';
export { findJob, listJobs, toJobRecord, type JobPage } from './repositories/jobs.ts';
export { monthlySpendByOrg, monthToDateSpend } from './reports/month-to-date-spend.ts';
export { usageReport, type UsageGroupBy, type UsageReport, type UsageTotals } from './reports/usage-report.ts';
export {
  enabledWebhookEndpoints,
  recordWebhookEvents,
  subscribes,
  webhookEventId,
  webhookEventTypes,
  type WebhookEventInput,
  type WebhookEventType,
} from './repositories/webhook-outbox.ts';
export { getOrCreateOrgWebhookSecret } from './repositories/org-webhook-secrets.ts';
export {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
  type WebhookEndpoint,
  type WebhookEndpointPatch,
} from './repositories/webhook-endpoints.ts';
export {
  findWebhookDelivery,
  listWebhookDeliveries,
  retryWebhookDelivery,
  type DeliveryScope,
  type WebhookDelivery,
} from './repositories/webhook-deliveries.ts';
export { batchLineRequestId, closeBatchLines, countFinishedBatchLines, openBatchLineStatuses, type FinalLineStatus } from './repositories/batch-lines.ts';
export {
  createStoredFile,
  deleteStoredFile,
  getStoredFile,
  listStoredFiles,
  readStoredFileBytes,
  readStoredFileLines,
  StoredFileRefusedError,
  type StoredFile,
  type StoredFilePage,
} from './repositories/files.ts';
export type { StoredFileLine } from './repositories/file-lines.ts';
export { recentJobs, type RecentJob } from './reports/recent-jobs.ts';
export { activeBatches, type ActiveBatch } from './reports/active-batches.ts';
export { recentWebhookDeliveries, webhookOutboxBacklog, type RecentWebhookDelivery } from './reports/recent-webhook-deliveries.ts';
export { topSpendersThisMonth, type OrgSpend } from './reports/top-spenders.ts';
export {
  alertConditions,
  alertSeverities,
  createAlertRule,
  deleteAlertRule,
  ensureBuiltinAlertRules,
  findAlertRule,
  listAlertRules,
  rotateAlertRuleSecret,
  updateAlertRule,
  type AlertChannel,
  type AlertCondition,
  type AlertRule,
  type AlertRuleInput,
  type AlertRulePatch,
  type AlertSeverity,
} from './repositories/alert-rules.ts';
export {
  acknowledgeAlert,
  activeAlertCounts,
  alertPairKey,
  alertSigningSecret,
  findAlert,
  firingAlerts,
  lastAlertNotifications,
  listAlerts,
  openAlert,
  operatorWebhookScope,
  refreshAlert,
  resolveAlert,
  type Alert,
  type AlertEventType,
  type AlertNotification,
  type AlertStatusFilter,
  type ListedAlert,
} from './repositories/alerts.ts';
export { budgetUsageByOrg, finishedJobsByProvider } from './reports/alert-metrics.ts';
export { databaseOverPort, MessagePortDialect } from './database-port/port-dialect.ts';
export { serveDatabasePort, type ServedDatabasePort } from './database-port/serve-database-port.ts';
