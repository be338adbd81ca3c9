// The one Redis command a token stream flush costs: a script (EVALSHA, redis-script.ts) that appends the batch,
// sets the key's lifetime and publishes the batch. XADD runs first and a refused XADD
// (a second writer of the same request) publishes nothing. The flushes of every stream a
// connection writes in one event-loop turn leave in one socket write, so 64 streams cost
// one write, not 64 (see createTokenBatchAppender). The script touches one key
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

/** Appends token batches to the token streams of one connection. */
export type TokenBatchAppender = {
  /** Appends and publishes one batch; resolves once Redis has run it, in order with this appender's other appends. */
  append(batch: TokenBatchAppend): Promise<void>;
};

/**
 * Each append is one command, sent as it is made. The connections of createRedis leave the
 * commands of one event-loop turn in one socket write (coalesced-writes.ts), so 64 streams'
 * flushes of a turn still cost one write. An ioredis pipeline would add nothing to that, and
 * making one copies every script defined on its connection (BullMQ's dozens, on a worker's).
 */
export function createTokenBatchAppender(redis: RedisConnection): TokenBatchAppender {
  const cluster = isCluster(redis);
  return {
    append(append) {
      const message = () => `${append.messageHead}${append.partsJson}${append.messageTail}`;
      if (cluster) {
        // The reply publish follows its append's success, so a refused append publishes nothing
        // and batches of one stream reach the reply channel in order.
        return appendScript
          .run(redis, [append.key], argumentsOf(append, [append.watchChannel]))
          .then(() => (append.replyTo ? publishOnReplyChannel(redis, append.replyTo, message()) : undefined))
          .then(() => undefined);
      }
      // An api of this thread gets its batch handed over once Redis holds it (local-replies.ts), not published.
      const local = localReceiver(append.replyTo);
      const channels = append.replyTo && !local ? [append.replyTo, append.watchChannel] : [append.watchChannel];
      const appended = appendScript.run(redis, [append.key], argumentsOf(append, channels));
      return local ? appended.then(() => local(message())) : appended.then(() => undefined);
    },
  };
}

function argumentsOf(append: TokenBatchAppend, channels: string[]) {
  return [
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
}
