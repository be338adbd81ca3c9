import { isCluster, type RedisConnection } from './connection.ts';
import type { BusMessage, ReplyMessage } from '@switchyard/core';
import { localReceiver } from './local-replies.ts';
import { cancelChannel, cancelRequestedKey, storedReplyKey } from './names.ts';

/**
 * Replies larger than this travel by reference: the body is stored under its own key and
 * the message names it, so a large completion never sits in a subscriber's output buffer
 * (Redis drops subscribers whose buffer passes its pub/sub limit).
 */
export const inlineReplyMaxBytes = 64 * 1024;
const storedReplyTtlSeconds = 600;

/**
 * Publishes on an api process's reply channel: sharded pub/sub (SPUBLISH) on a Redis Cluster,
 * so the message stays on the channel's shard instead of crossing every node; classic on a
 * single Redis. The reply bus subscribes the same way. An api listening in this thread gets
 * the text handed over instead (local-replies.ts).
 */
export async function publishOnReplyChannel(redis: RedisConnection, replyTo: string, text: string): Promise<void> {
  const local = localReceiver(replyTo);
  if (local) return local(text);
  await (isCluster(redis) ? redis.spublish(replyTo, text) : redis.publish(replyTo, text));
}

export async function publishToReplyChannel(redis: RedisConnection, replyTo: string, message: BusMessage): Promise<void> {
  await publishOnReplyChannel(redis, replyTo, JSON.stringify(message));
}

/** Publishes a request's result on its reply channel, by reference when it is large (never to an api of this thread). */
export async function publishReply(redis: RedisConnection, prefix: string, replyTo: string, reply: ReplyMessage): Promise<void> {
  const text = JSON.stringify(reply);
  if (text.length <= inlineReplyMaxBytes || localReceiver(replyTo)) {
    await publishOnReplyChannel(redis, replyTo, text);
    return;
  }
  const key = storedReplyKey(prefix, reply.requestId);
  await redis.set(key, text, 'EX', storedReplyTtlSeconds);
  const pointer: ReplyMessage = {
    kind: 'result',
    requestId: reply.requestId,
    jobId: reply.jobId,
    status: reply.status,
    attempts: reply.attempts,
    storedAt: key,
  };
  await publishOnReplyChannel(redis, replyTo, JSON.stringify(pointer));
}

/** The full reply a by-reference message points at (undefined once it expired). */
export async function loadStoredReply(redis: RedisConnection, key: string): Promise<ReplyMessage | undefined> {
  const text = await redis.get(key);
  return text ? (JSON.parse(text) as ReplyMessage) : undefined;
}

/**
 * Tells every worker to abort the in-flight job `jobId`, if it runs one, and leaves a
 * marker for the worker that holds it between calls (retry backoff, a rate-limit pause).
 */
export async function publishCancel(redis: RedisConnection, prefix: string, jobId: string, requestId: string, ttlSeconds: number): Promise<void> {
  await redis.set(cancelRequestedKey(prefix, requestId), '1', 'EX', Math.max(1, ttlSeconds));
  await redis.publish(cancelChannel(prefix), jobId);
}

export async function isCancelRequested(redis: RedisConnection, prefix: string, requestId: string): Promise<boolean> {
  return (await redis.exists(cancelRequestedKey(prefix, requestId))) === 1;
}
