import type { RedisConnection } from './connection.ts';
import { isCluster } from './connection.ts';
import { authRevisionChannel, authRevisionKey } from './names.ts';

/**
 * A counter every api checks per authenticated request: revoking a key (or changing an
 * org's limits) bumps it, so cached principals from before the change are ignored by
 * every api process at once, not when their cache entry expires. The new value is also
 * published, so an api that watches the counter (`watchAuthRevision`) knows it without a
 * read per request.
 */

export async function bumpAuthRevision(redis: RedisConnection, prefix: string): Promise<void> {
  const revision = await redis.incr(authRevisionKey(prefix));
  await redis.publish(authRevisionChannel(prefix), String(revision));
}

/** '0' until the first revocation. */
export async function readAuthRevision(redis: RedisConnection, prefix: string): Promise<string> {
  return (await redis.get(authRevisionKey(prefix))) ?? '0';
}

export type AuthRevisionWatch = {
  /** The counter's current value: from memory while the watch is live, else read from Redis. */
  current(): Promise<string>;
  /** Whether `current()` answers from memory (for tests and diagnostics). */
  readonly live: boolean;
  close(): Promise<void>;
};

export type AuthRevisionWatchOptions = {
  /** A connection in subscriber mode (the api's reply-bus subscriber). */
  subscriber: RedisConnection;
  /** A normal connection, for reading the counter. */
  commands: RedisConnection;
  prefix: string;
  /** When not live: how the counter is read per request (default: one GET per call). */
  read?: () => Promise<string>;
  /**
   * While live, the counter is also read this often, so a bump whose message was lost (its
   * publisher died between INCR and PUBLISH, a half-open subscriber socket) is seen within
   * this long. Default 1000 ms.
   */
  refreshMs?: number;
  onError?: (error: unknown) => void;
};

const newer = (known: string | undefined, value: string): string => (known === undefined || Number(value) > Number(known) ? value : known);

/**
 * The revocation counter kept in memory from its pub/sub messages instead of read per
 * request. It goes live once subscribed and read after subscribing (so no bump falls
 * between the two); it stops being live the moment the subscriber connection drops, and
 * comes back the same way after a reconnect. While it is not live (before the first
 * subscription, while disconnected, on a Redis Cluster) every `current()` reads the
 * counter, as without a watch. A message's value only ever raises the known one, so a read
 * that raced a bump cannot take it back.
 */
export async function watchAuthRevision(options: AuthRevisionWatchOptions): Promise<AuthRevisionWatch> {
  const { subscriber, commands, prefix } = options;
  const channel = authRevisionChannel(prefix);
  const read = options.read ?? (() => readAuthRevision(commands, prefix));
  const refreshMs = options.refreshMs ?? 1000;
  let known: string | undefined;
  let live = false;
  let closed = false;
  // Bumped whenever the subscription may have lapsed: a sync-up started before it does not go live.
  let epoch = 0;

  const onMessage = (messageChannel: string, text: string) => {
    if (messageChannel === channel && /^\d+$/.test(text)) known = newer(known, text);
  };
  const lapse = () => {
    epoch += 1;
    live = false;
  };
  const syncUp = async () => {
    if (closed) return;
    const started = (epoch += 1);
    live = false;
    try {
      await subscriber.subscribe(channel);
      const value = await read();
      if (started !== epoch || closed) return;
      known = newer(known, value);
      live = true;
    } catch (error) {
      // Not live: requests read the counter themselves until the next reconnect syncs up.
      options.onError?.(error);
    }
  };
  // The sync-up started last: a 'ready' (the first connect or a reconnect) during one
  // supersedes it, and only the last one started can go live.
  let latestSyncUp: Promise<void> = Promise.resolve();
  const startSyncUp = () => {
    latestSyncUp = syncUp();
    return latestSyncUp;
  };
  const refresh = async () => {
    if (!live) return;
    const started = epoch;
    try {
      const value = await read();
      if (started === epoch) known = newer(known, value);
    } catch (error) {
      options.onError?.(error);
    }
  };

  // A cluster's classic pub/sub moves between nodes on its own schedule: there every request reads.
  const watching = !isCluster(subscriber);
  let timer: NodeJS.Timeout | undefined;
  if (watching) {
    subscriber.on('message', onMessage);
    subscriber.on('close', lapse);
    subscriber.on('ready', startSyncUp);
    timer = setInterval(() => void refresh(), refreshMs);
    timer.unref();
    // Wait for the sync-up that counts: the connection becoming ready while the first one
    // is under way starts another, and the first then gives way to it.
    startSyncUp();
    let awaited: Promise<void>;
    do {
      awaited = latestSyncUp;
      await awaited;
    } while (awaited !== latestSyncUp);
  }

  return {
    // Live means synced: `known` holds the read made after subscribing, or newer.
    current: () => (live ? Promise.resolve(known!) : read()),
    get live() {
      return live;
    },
    async close() {
      closed = true;
      lapse();
      clearInterval(timer);
      if (!watching) return;
      subscriber.off('message', onMessage);
      subscriber.off('close', lapse);
      subscriber.off('ready', startSyncUp);
      await subscriber.unsubscribe(channel).catch(() => {});
    },
  };
}
