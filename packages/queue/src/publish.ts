import type { Redis } from 'ioredis';
import type { BusMessage } from '@switchyard/core';
import { cancelChannel } from './names.ts';

export async function publishToReplyChannel(redis: Redis, replyTo: string, message: BusMessage): Promise<void> {
  await redis.publish(replyTo, JSON.stringify(message));
}

/** Tells every worker to abort the in-flight job `jobId`, if it runs one. */
export async function publishCancel(redis: Redis, prefix: string, jobId: string): Promise<void> {
  await redis.publish(cancelChannel(prefix), jobId);
}
