import { Job, MetricsTime, Queue, Worker } from 'bullmq';
import { parseWebhookAllowList } from '@switchyard/core';
import { asLiveConfig, type LiveConfig, type SwitchyardConfig } from '@switchyard/config';
import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import { bullmqPrefix, createRedis, createRedisHealthReporter, webhookNudgeChannel, webhookQueueName } from '@switchyard/queue';
import type { Registry } from 'prom-client';
import { infrastructureBackoffMs, type DeliveryJobData, type DeliveryJobResult } from './delivery-job.ts';
import { createGuardedAgent } from './guarded-agent.ts';
import { startOutboxRelay } from './outbox-relay.ts';
import { createDeliveryProcessor } from './process-delivery.ts';
import { failWithoutAttempt } from './record-attempt.ts';
import { createSendPermits } from './send-permits.ts';
import { createSlotWaiters } from './slot-waiters.ts';
import { createWebhookMetrics, type WebhookMetrics } from './webhook-metrics.ts';

export type WebhooksDeps = {
  /** A LiveConfig's reloads move the retry schedule and the concurrency; the other webhooks settings are read at start. */
  config: SwitchyardConfig | LiveConfig;
  db: Kysely<Database>;
  logger: Logger;
  /** Where the service's metrics go; a fresh registry by default. */
  registry?: Registry;
  /** Outbox poll interval when no nudge comes. */
  pollIntervalMs?: number;
  /** Lock and stall tuning of the delivery worker (defaults: the `worker` config), so a killed process's deliveries are taken over in seconds. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
};

export type RunningWebhooks = { metrics: WebhookMetrics; stop(): Promise<void> };

/**
 * The webhooks service: the outbox relay (Postgres -> the `webhooks` queue, woken by the
 * ledger's nudge) and the delivery worker (signed POSTs through the SSRF-guarded agent,
 * retries on the configured schedule, per-destination concurrency shared through Redis).
 * Any number may run against one Redis and Postgres; `stop()` lets attempts in flight finish.
 */
export async function startWebhooks(deps: WebhooksDeps): Promise<RunningWebhooks> {
  const live = asLiveConfig(deps.config);
  const config = live.current();
  const settings = config.webhooks;
  const prefix = config.redis.prefix;
  const logger = deps.logger.child({ component: 'webhooks' });
  const health = createRedisHealthReporter({ redis: config.redis, logger, service: 'webhooks' });
  const redis = health.watch(createRedis(config.redis, { role: 'blocking', name: 'webhooks' }), 'commands');
  const subscriber = health.watch(createRedis(config.redis, { role: 'subscriber', name: 'webhooks-nudge' }), 'nudges');
  const metrics = createWebhookMetrics(deps.registry);
  // One attempt takes at most timeoutMs; a lease a little longer frees a dead holder's slot soon after.
  const leaseMs = settings.timeoutMs + 5000;
  const dispatcher = createGuardedAgent({ allow: parseWebhookAllowList(settings.allow), timeoutMs: settings.timeoutMs });
  const queue = new Queue<DeliveryJobData, DeliveryJobResult>(webhookQueueName, { connection: redis, prefix: bullmqPrefix(prefix, webhookQueueName) });
  const processor = createDeliveryProcessor({
    db: deps.db,
    dispatcher,
    permits: createSendPermits({ redis, prefix, limit: settings.perDestinationConcurrency, leaseMs }),
    // At most a quarter of the worker waits for slots, so a slow receiver's backlog cannot crowd out the others.
    waiters: createSlotWaiters({ perDestination: settings.perDestinationConcurrency, total: Math.floor(settings.concurrency / 4) }),
    wake: async (jobId) => {
      const parked = await Job.fromId<DeliveryJobData, DeliveryJobResult>(queue, jobId);
      if (parked && (await parked.isDelayed())) await parked.promote();
    },
    metrics,
    logger,
    encryptionKey: config.encryptionKey,
    timeoutMs: settings.timeoutMs,
    // Read per attempt, so a reloaded schedule applies to the next retry decision.
    get retryScheduleSeconds() {
      return live.current().webhooks.retryScheduleSeconds;
    },
  });
  const worker = new Worker<DeliveryJobData, DeliveryJobResult>(webhookQueueName, processor, {
    connection: redis,
    prefix: bullmqPrefix(prefix, webhookQueueName),
    concurrency: settings.concurrency,
    lockDuration: deps.lockDurationMs ?? config.worker.lockDurationMs,
    stalledInterval: deps.stalledIntervalMs ?? config.worker.stalledIntervalMs,
    // A delivery whose process keeps dying mid-attempt is retried a few times before BullMQ gives up on it.
    maxStalledCount: 5,
    // Sent and failed per minute, for the dashboard's rates (the inference workers keep the same).
    metrics: { maxDataPoints: MetricsTime.ONE_HOUR * 24 },
    settings: { backoffStrategy: (attemptsMade: number) => infrastructureBackoffMs(attemptsMade) },
  });
  worker.on('error', (error: Error & { code?: string }) => {
    if (!health.isConnectionError(error)) logger.error({ err: error }, 'webhooks worker error');
  });
  // The processor failed on its own (Postgres unreachable, ...): retried with backoff; once
  // BullMQ gives up, the delivery is marked failed so it does not look pending forever.
  worker.on('failed', (job: Job<DeliveryJobData, DeliveryJobResult> | undefined, error: Error) => {
    if (!job) return;
    void (async () => {
      if ((await job.getState()) !== 'failed') {
        logger.warn({ deliveryId: job.data.deliveryId, reason: error.message }, 'webhook delivery job failed; retrying it');
        return;
      }
      logger.error({ deliveryId: job.data.deliveryId, reason: error.message }, 'webhook delivery job gave up');
      await failWithoutAttempt(deps.db, { id: job.data.deliveryId, generation: job.data.generation }, `the delivery job gave up: ${error.message}`);
    })().catch((failure: unknown) => logger.error({ err: failure, deliveryId: job.data.deliveryId }, 'could not record a delivery job that gave up'));
  });

  const stopFollowing = live.onChange((next) => {
    worker.concurrency = next.webhooks.concurrency;
  });

  const relay = startOutboxRelay({ db: deps.db, queue, logger, pollIntervalMs: deps.pollIntervalMs });
  subscriber.on('message', () => relay.nudge());
  await subscriber.subscribe(webhookNudgeChannel(prefix));
  logger.info(
    { prefix, concurrency: settings.concurrency, perDestinationConcurrency: settings.perDestinationConcurrency, timeoutMs: settings.timeoutMs },
    'webhooks started: delivering webhook events from the outbox',
  );

  return {
    metrics,
    async stop() {
      stopFollowing();
      await relay.stop();
      await worker.close();
      await queue.close();
      await dispatcher.close();
      await subscriber.quit().catch(() => subscriber.disconnect());
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
