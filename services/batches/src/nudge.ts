import type { Logger } from '@switchyard/logger';
import { batchNudgeChannel, webhookNudgeChannel } from '@switchyard/queue';
import type { RedisConnection } from '@switchyard/queue';

/** Tells the drivers to look at a batch now (best effort: the next tick sees it anyway). */
export async function nudgeDrivers(redis: RedisConnection, prefix: string, batchId: string, logger: Logger): Promise<void> {
  await redis.publish(batchNudgeChannel(prefix), batchId).catch((error: unknown) => logger.warn({ err: error, batchId }, 'could not nudge the batch driver'));
}

/** Tells the webhooks service that deliveries were recorded (best effort: it polls anyway). */
export async function nudgeWebhooks(redis: RedisConnection, prefix: string, logger: Logger): Promise<void> {
  await redis.publish(webhookNudgeChannel(prefix), '1').catch((error: unknown) => logger.warn({ err: error }, 'could not nudge the webhooks service'));
}
