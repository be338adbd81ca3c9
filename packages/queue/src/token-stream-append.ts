// The one Redis command a token stream flush costs: a script (EVALSHA, redis-script.ts) that appends the batch,
// sets the key's lifetime and publishes the batch. XADD runs first and a refused XADD
// (a second writer of the same request) publishes nothing. Flushes of every stream a
// process writes are coalesced into one pipeline per event-loop turn, so 64 streams
// cost one socket write, not 64 (see createTokenBatchAppender). The script touches one key
// (its stream), so it runs on a Redis Cluster too. There the reply channel is sharded
// pub/sub, which a script may only use for channels of its own slot: the script publishes
// on the watch channel (classic) and the batch goes to the reply channel right after it.
import { localReceiver } from './local-replies.ts';
import { publishOnReplyChannel } from './publish.ts';
import { isCluster, type RedisConnection } from './connection.ts';
import { redisScript } from './redis-script.ts';

const appendScript = redisScript(
  'TokenBatchAppend',
  1,
  `
local fields = {'f', ARGV[4], 'p', ARGV[5]}
if ARGV[6] ~= '' then
  fields[5] = 'm'
  fields[6] = ARGV[6]
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], ARGV[1], unpack(fields))
if ARGV[3] ~= '0' then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
local message = ARGV[7] .. ARGV[5] .. ARGV[8]
for index = 9, #ARGV do redis.call('PUBLISH', ARGV[index], message) end
return 1
`,
);

export type TokenBatchAppend = {
  key: string;
  /** Stream entry id, `0-<last seq>`. */
  id: string;
  maxEntries: number;
  /** Seconds to live from now; 0 leaves the key's lifetime alone. */
  ttlSeconds: number;
  firstSeq: number;
  partsJson: string;
  /** Catalog model, on the first batch only ('' otherwise). */
  model: string;
  /** The published message is `messageHead + partsJson + messageTail`. */
  messageHead: string;
  messageTail: string;
  /** The waiting api process's channel, when one waits. */
  replyTo?: string | undefined;
  /** The request's channel for observers on any api process. */
  watchChannel: string;
};

type Pending = { append: TokenBatchAppend; settle(error: unknown): void };

/** Appends token batches; appends made in one event-loop turn share one pipeline. */
export type TokenBatchAppender = {
  /** Appends and publishes one batch; resolves once Redis has run it, in order with this appender's other appends. */
  append(batch: TokenBatchAppend): Promise<void>;
};

/**
 * One per process (or per connection): every stream writer given the same appender has
 * its flushes coalesced with the others', so 64 streams cost one socket write, not 64.
 */
export function createTokenBatchAppender(redis: RedisConnection): TokenBatchAppender {
  let queue: Pending[] | undefined;

  const argumentsOf = (append: TokenBatchAppend, channels: string[]) =>
    [
      append.id,
      append.maxEntries,
      append.ttlSeconds,
      append.firstSeq,
      append.partsJson,
      append.model,
      append.messageHead,
      append.messageTail,
      ...channels,
    ] as const;

  const sendQueued = () => {
    const sending = queue ?? [];
    queue = undefined;
    if (isCluster(redis)) {
      // Streams of different requests live on different nodes, and a cluster pipeline must
      // stay on one: each append is its own command (those for one node still go out together).
      // The reply publish follows its append's success, so a refused append publishes nothing
      // and batches of one stream reach the reply channel in order.
      for (const { append, settle } of sending) {
        appendScript
          .run(redis, [append.key], argumentsOf(append, [append.watchChannel]))
          .then(() =>
            append.replyTo ? publishOnReplyChannel(redis, append.replyTo, `${append.messageHead}${append.partsJson}${append.messageTail}`) : undefined,
          )
          .then(() => settle(null), settle);
      }
      return;
    }
    const pipeline = redis.pipeline();
    // An api of this thread gets its batch handed over once Redis holds it (local-replies.ts), not published.
    const localReceivers = sending.map(({ append }) => localReceiver(append.replyTo));
    for (const [index, { append }] of sending.entries()) {
      const channels = append.replyTo && !localReceivers[index] ? [append.replyTo, append.watchChannel] : [append.watchChannel];
      appendScript.queue(redis, pipeline, [append.key], argumentsOf(append, channels));
    }
    pipeline.exec().then(
      (results) => {
        for (const [index, pending] of sending.entries()) {
          const error = results?.[index]?.[0] ?? null;
          const { append } = pending;
          if (!error) localReceivers[index]?.(`${append.messageHead}${append.partsJson}${append.messageTail}`);
          pending.settle(error);
        }
      },
      (error: unknown) => {
        for (const pending of sending) pending.settle(error);
      },
    );
  };

  return {
    append(batch) {
      return new Promise((resolve, reject) => {
        const settle = (error: unknown) => (error ? reject(error) : resolve());
        if (!queue) {
          queue = [];
          setImmediate(sendQueued);
        }
        queue.push({ append: batch, settle });
      });
    },
  };
}
