import { isCluster, type RedisConnection } from './connection.ts';
import type { BusMessage, ReplyMessage, StreamMessage } from '@switchyard/core';
import { listenLocally } from './local-replies.ts';
import { loadStoredReply } from './publish.ts';

type Waiter = {
  resolve(reply: ReplyMessage | undefined): void;
  recheck: () => Promise<ReplyMessage | undefined>;
  timer: NodeJS.Timeout;
};

export type ResultWait = {
  promise: Promise<ReplyMessage | undefined>;
  /** Stop waiting (client went away); the promise resolves with undefined. */
  cancel(): void;
};

export type ReplyBus = {
  /** The channel workers publish this process's replies on (`replyTo` of its jobs). */
  readonly channel: string;
  /**
   * Registers a waiter for `requestId`. Call it BEFORE enqueueing, so no reply can be
   * missed. At the deadline (or after a reconnect) the stored state is read once more
   * through `recheck`, so a lost pub/sub message costs latency, never the answer.
   * Resolves with undefined when the deadline passes without a result.
   */
  waitForResult(requestId: string, options: { timeoutMs: number; recheck: () => Promise<ReplyMessage | undefined> }): ResultWait;
  /** Live stream parts for a request; returns the unsubscribe function. */
  onStreamParts(requestId: string, listener: (message: StreamMessage) => void): () => void;
  /**
   * Live stream parts published on another channel (a request's watch channel, for
   * observers of a job this process did not enqueue). Resolves once subscribed, with the
   * unsubscribe function.
   */
  watchChannel(channel: string, listener: (message: StreamMessage) => void): Promise<() => void>;
  readonly pendingCount: number;
  close(): Promise<void>;
};

/** After a reconnect, waiters are checked at once and again this much later (a result may land just after). */
const reconnectRecheckDelayMs = 2000;

/**
 * The reply bus (docs/architecture.md, "Reply bus"): ONE subscriber connection per api
 * process and a map of waiters keyed by request id. No QueueEvents, no waitUntilFinished.
 * `commands` (a normal connection) reads replies that were published by reference.
 */
export async function createReplyBus(options: {
  subscriber: RedisConnection;
  commands: RedisConnection;
  channel: string;
  onError?: (error: unknown) => void;
  /** Also take messages handed over by workers of this thread, bypassing Redis (local-replies.ts; `switchyard all`). */
  localReplies?: boolean;
}): Promise<ReplyBus> {
  const { subscriber, channel } = options;
  // On a Redis Cluster the reply channel is sharded pub/sub (see publishOnReplyChannel); watch channels stay classic.
  const sharded = isCluster(subscriber);
  const waiters = new Map<string, Waiter>();
  const streamListeners = new Map<string, (message: StreamMessage) => void>();
  const watchers = new Map<string, Set<(message: StreamMessage) => void>>();
  let closed = false;

  const settle = (requestId: string, reply: ReplyMessage | undefined) => {
    const waiter = waiters.get(requestId);
    if (!waiter) return;
    waiters.delete(requestId);
    clearTimeout(waiter.timer);
    waiter.resolve(reply);
  };

  const recheck = async (requestId: string, finalCheck: boolean) => {
    const waiter = waiters.get(requestId);
    if (!waiter) return;
    try {
      const reply = await waiter.recheck();
      if (reply || finalCheck) settle(requestId, reply);
    } catch (error) {
      options.onError?.(error);
      if (finalCheck) settle(requestId, undefined);
    }
  };

  const onMessage = (messageChannel: string, text: string) => {
    if (messageChannel !== channel) {
      const listeners = watchers.get(messageChannel);
      if (listeners) deliverWatched(listeners, text);
      return;
    }
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch (error) {
      options.onError?.(error);
      return;
    }
    if (message.kind === 'parts') streamListeners.get(message.requestId)?.(message);
    else if (message.storedAt === undefined) settle(message.requestId, message);
    else if (waiters.has(message.requestId)) void settleStored(message);
  };
  subscriber.on('message', onMessage);
  if (sharded) subscriber.on('smessage', onMessage);

  // A reply too large for pub/sub: read it; if it is gone, the stored job state still has it.
  const settleStored = async (pointer: ReplyMessage) => {
    try {
      const reply = await loadStoredReply(options.commands, pointer.storedAt!);
      if (reply) settle(pointer.requestId, reply);
      else await recheck(pointer.requestId, false);
    } catch (error) {
      options.onError?.(error);
      await recheck(pointer.requestId, false);
    }
  };

  const deliverWatched = (listeners: Set<(message: StreamMessage) => void>, text: string) => {
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch (error) {
      options.onError?.(error);
      return;
    }
    if (message.kind === 'parts') for (const listener of listeners) listener(message);
  };

  // After a reconnect, messages published while we were away are gone: read the stored
  // state of everything still waiting, all at once, and once more a little later for
  // results whose worker published just before recording them.
  let subscribedOnce = false;
  const recheckAll = () => {
    if (closed) return;
    for (const requestId of [...waiters.keys()]) void recheck(requestId, false);
  };
  const afterReconnect = () => {
    if (!subscribedOnce || closed) return;
    recheckAll();
    setTimeout(recheckAll, reconnectRecheckDelayMs).unref();
  };
  subscriber.on('ready', afterReconnect);
  // A cluster's shard subscribers come back on their own, after a topology change too.
  if (sharded) subscriber.on('subscribersReady', afterReconnect);

  await (sharded ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel));
  subscribedOnce = true;
  const receiveLocally = (text: string) => {
    try {
      onMessage(channel, text);
    } catch (error) {
      // A listener's failure stays this message's, as it would on the subscriber connection.
      options.onError?.(error);
    }
  };
  const stopListeningLocally = options.localReplies ? listenLocally(channel, receiveLocally) : undefined;

  return {
    channel,
    get pendingCount() {
      return waiters.size;
    },
    waitForResult(requestId, waitOptions) {
      let resolve!: (reply: ReplyMessage | undefined) => void;
      const promise = new Promise<ReplyMessage | undefined>((done) => (resolve = done));
      const timer = setTimeout(() => void recheck(requestId, true), Math.max(0, waitOptions.timeoutMs));
      waiters.set(requestId, { resolve, recheck: waitOptions.recheck, timer });
      return { promise, cancel: () => settle(requestId, undefined) };
    },
    onStreamParts(requestId, listener) {
      streamListeners.set(requestId, listener);
      return () => {
        if (streamListeners.get(requestId) === listener) streamListeners.delete(requestId);
      };
    },
    async watchChannel(watched, listener) {
      let listeners = watchers.get(watched);
      if (!listeners) {
        listeners = new Set();
        watchers.set(watched, listeners);
      }
      listeners.add(listener);
      // Commands on one connection run in order, so a SUBSCRIBE issued after another
      // watcher's UNSUBSCRIBE of the same channel still leaves it subscribed.
      if (listeners.size === 1) await subscriber.subscribe(watched);
      return () => {
        const current = watchers.get(watched);
        if (!current?.delete(listener) || current.size > 0) return;
        watchers.delete(watched);
        void subscriber.unsubscribe(watched).catch((error: unknown) => options.onError?.(error));
      };
    },
    async close() {
      closed = true;
      stopListeningLocally?.();
      watchers.clear();
      for (const requestId of [...waiters.keys()]) settle(requestId, undefined);
      streamListeners.clear();
      await (sharded ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel)).catch(() => {});
    },
  };
}
