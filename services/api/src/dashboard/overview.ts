import { enabledProviders } from '@switchyard/config';
import { activeBatches, recentJobs, recentWebhookDeliveries, topSpendersThisMonth, webhookOutboxBacklog } from '@switchyard/db';
import type { ApiContext } from '../context.ts';
import { providerStatus } from '../routes/health.ts';
import { queueOverview, type ObservedQueue } from './queue-overview.ts';

/** Rows per list: the page is for a glance, the API and the queue browser have the rest. */
const listLimit = 10;
/** Recent failures look back this far, so a quiet system does not read the whole jobs history. */
const failuresWindowMs = 24 * 3600 * 1000;

/**
 * `GET /dashboard/overview.json`: everything the operators' page shows, in one answer:
 * Redis for providers and queues, Postgres for jobs, batches, deliveries and spend.
 */
export async function dashboardOverview(context: ApiContext, webhookQueue: ObservedQueue) {
  const now = Date.now();
  const { db } = context;
  const [providers, inferenceQueues, webhooks, jobs, failures, batches, deliveries, outboxBacklog, spend] = await Promise.all([
    providerStatus(context),
    Promise.all(enabledProviders(context.config).map((provider) => queueOverview(context.queues.get(provider.name), provider.name, now))),
    queueOverview(webhookQueue, null, now),
    recentJobs(db, { limit: listLimit }),
    recentJobs(db, { limit: listLimit, status: 'failed', since: new Date(now - failuresWindowMs) }),
    activeBatches(db, { limit: listLimit }),
    recentWebhookDeliveries(db, { limit: listLimit }),
    webhookOutboxBacklog(db),
    topSpendersThisMonth(db, { limit: listLimit, now: new Date(now) }),
  ]);
  return {
    generated_at: new Date(now).toISOString(),
    providers,
    queues: [...inferenceQueues, webhooks],
    batches,
    recent_jobs: jobs,
    recent_failures: failures,
    webhook_deliveries: { outbox_backlog: outboxBacklog, recent: deliveries },
    spend_this_month: spend,
  };
}
