import { Counter, Histogram, Registry } from 'prom-client';

export type DeliveryStatus = 'delivered' | 'failed' | 'retrying' | 'refused';

export type WebhookMetrics = {
  registry: Registry;
  /** Attempts by what they led to: delivered, retrying (failed, will retry), failed (gave up), refused (SSRF guard). */
  deliveries: Counter<'status'>;
  /** From the event's creation (the transaction that made the job terminal) to its delivery. */
  deliveryLatency: Histogram;
};

/**
 * The webhooks service's Prometheus metrics, on `registry` (a fresh one by default) so the
 * process that runs it can serve them next to its own.
 */
export function createWebhookMetrics(registry: Registry = new Registry()): WebhookMetrics {
  const deliveries = new Counter({
    name: 'switchyard_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result: delivered, retrying, failed (gave up or endpoint disabled), refused (SSRF guard)',
    labelNames: ['status'],
    registers: [registry],
  });
  for (const status of ['delivered', 'failed', 'retrying', 'refused'] satisfies DeliveryStatus[]) deliveries.inc({ status }, 0);
  const deliveryLatency = new Histogram({
    name: 'switchyard_webhook_delivery_latency_seconds',
    help: 'Seconds from a webhook event being recorded to its successful delivery (retries included)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 86_400],
    registers: [registry],
  });
  return { registry, deliveries, deliveryLatency };
}
