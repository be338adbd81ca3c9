// The one Redis command a token stream flush costs: a script that appends the batch,
// sets the key's lifetime and publishes the batch. XADD runs first and a refused XADD
// (a second writer of the same request) publishes nothing. Flushes of every stream a
// process writes are coalesced into one pipeline per event-loop turn, so 64 streams
// cost one socket write, not 64 (see createTokenBatchAppender).
import type { Redis } from 'ioredis';

const appendScript = `
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
`;

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
  channels: string[];
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
export function createTokenBatchAppender(redis: Redis): TokenBatchAppender {
  let queue: Pending[] | undefined;

  const sendQueued = () => {
    const sending = queue ?? [];
    queue = undefined;
    const pipeline = redis.pipeline();
    for (const { append } of sending) {
      pipeline.eval(
        appendScript,
        1,
        append.key,
        append.id,
        append.maxEntries,
        append.ttlSeconds,
        append.firstSeq,
        append.partsJson,
        append.model,
        append.messageHead,
        append.messageTail,
        ...append.channels,
      );
    }
    pipeline.exec().then(
      (results) => {
        for (const [index, pending] of sending.entries()) pending.settle(results?.[index]?.[0] ?? null);
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
