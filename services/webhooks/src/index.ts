export { startWebhooks, type RunningWebhooks, type WebhooksDeps } from './start-webhooks.ts';
export { createWebhookMetrics, type DeliveryStatus, type WebhookMetrics } from './webhook-metrics.ts';
