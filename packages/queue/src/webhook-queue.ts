import { Queue } from 'bullmq';
import type { RedisConnection } from './connection.ts';
import { bullmqPrefix, webhookQueueName } from './names.ts';

/**
 * The webhooks delivery queue for a process that only looks at it (the api's operator
 * dashboard). It shares the caller's connection, so closing it leaves that connection open.
 */
export function openWebhookQueue(options: { connection: RedisConnection; prefix: string }): Queue {
  return new Queue(webhookQueueName, { connection: options.connection, prefix: bullmqPrefix(options.prefix, webhookQueueName) });
}
