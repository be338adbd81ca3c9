// The token stream (docs/architecture.md, "Token stream"): a request's canonical stream parts, appended in batches
// to a capped Redis stream (replayable after a disconnect) and published for live
// delivery in the same pipeline. Entry ids are `0-<seq of the batch's last part>`, so a
// reader resumes after part N with one XRANGE, and a second writer of the same request
// (a stalled job run twice) cannot append a diverging copy.
import type { RedisConnection } from './connection.ts';
import type { StreamMessage, StreamPart } from '@switchyard/core';
import { createTokenBatchAppender, type TokenBatchAppender } from './token-stream-append.ts';
import { streamKey, streamWatchChannel } from './names.ts';

export type TokenStreamWriterOptions = {
  prefix: string;
  requestId: string;
  /** Shares flushes with the process's other streams; absent, this writer flushes on its own. */
  appender?: TokenBatchAppender;
  /** The waiting api process's channel, when one waits. */
  replyTo?: string;
  /** Catalog id of the serving model, sent with the first batch. */
  model?: string;
  /** Parts already in the stream; the next one written gets `startAfter + 1`. */
  startAfter?: number;
  /** Parts arriving within this long of the last flush share one flush. */
  flushIntervalMs?: number;
  maxBatchParts?: number;
  /** Cap on the stream's entries (approximate trimming). */
  maxEntries?: number;
  /** Lifetime of the key while the stream is open, so a crashed writer's stream still expires. */
  openTtlSeconds?: number;
  /** Lifetime of the key after the last part. */
  retentionSeconds?: number;
  /** Flushes Redis has not acknowledged beyond which `write` makes the producer wait. */
  maxPendingFlushes?: number;
};

export type TokenStreamWriter = {
  /**
   * Queues one part. The first part (and any after a quiet spell) goes out at once, later
   * ones in batches. Returns a promise only when Redis is behind and the caller must wait.
   * Throws the error of an earlier failed flush.
   */
  write(part: StreamPart): Promise<void> | undefined;
  /** Sequence number of the last part written (0 before any). */
  readonly lastSeq: number;
  /** Flushes what is pending, starts the retention countdown, and waits for Redis. */
  close(): Promise<void>;
};

export const tokenStreamDefaults = {
  flushIntervalMs: 4,
  maxBatchParts: 128,
  maxEntries: 10_000,
  openTtlSeconds: 3600,
  retentionSeconds: 600,
  maxPendingFlushes: 32,
};

export function createTokenStreamWriter(redis: RedisConnection, options: TokenStreamWriterOptions): TokenStreamWriter {
  const settings = { ...tokenStreamDefaults, ...definedOnly(options) };
  const appender = options.appender ?? createTokenBatchAppender(redis);
  const key = streamKey(options.prefix, options.requestId);
  const watchChannel = streamWatchChannel(options.prefix, options.requestId);
  // Built once: every published message is this head, the batch's seq and its parts.
  const messageHead = `{"kind":"parts","requestId":${JSON.stringify(options.requestId)},"seq":`;
  let pending: StreamPart[] = [];
  let flushedThrough = options.startAfter ?? 0;
  let written = flushedThrough;
  let lastFlushAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  let latest: Promise<void> = Promise.resolve();
  let failure: unknown;
  let closing = false;
  let retentionSet = false;
  let closed = false;

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const parts = pending;
    pending = [];
    const firstSeq = flushedThrough + 1;
    const lastSeq = flushedThrough + parts.length;
    const first = flushedThrough === 0;
    flushedThrough = lastSeq;
    lastFlushAt = Date.now();

    const model = first && options.model !== undefined ? options.model : '';
    inFlight++;
    latest = appender
      .append({
        key,
        id: `0-${lastSeq}`,
        maxEntries: settings.maxEntries,
        ttlSeconds: closing ? settings.retentionSeconds : first ? settings.openTtlSeconds : 0,
        firstSeq,
        partsJson: JSON.stringify(parts),
        model,
        messageHead: `${messageHead}${firstSeq},"parts":`,
        messageTail: model === '' ? '}' : `,"model":${JSON.stringify(model)}}`,
        replyTo: options.replyTo,
        watchChannel,
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        inFlight--;
      });
    if (closing) retentionSet = true;
  }

  return {
    write(part) {
      if (failure !== undefined) throw failure;
      if (closed) throw new Error('token stream is closed');
      pending.push(part);
      written++;
      const now = Date.now();
      // Nothing follows a terminal part: its flush also starts the retention countdown.
      const terminal = part.type === 'finish' || part.type === 'error';
      if (terminal) closing = true;
      if (terminal || pending.length >= settings.maxBatchParts || now - lastFlushAt >= settings.flushIntervalMs) {
        flush();
      } else {
        timer ??= setTimeout(flush, settings.flushIntervalMs - (now - lastFlushAt));
      }
      return inFlight > settings.maxPendingFlushes ? latest : undefined;
    },
    get lastSeq() {
      return written;
    },
    async close() {
      if (closed) return;
      closing = true;
      closed = true;
      if (pending.length > 0) flush();
      else if (!retentionSet && written > (options.startAfter ?? 0)) {
        retentionSet = true;
        latest = latest
          .then(() => redis.expire(key, settings.retentionSeconds))
          .then(
            () => undefined,
            (error: unknown) => {
              failure ??= error;
            },
          );
      }
      // Appends on one connection complete in order: the last one settles after the rest.
      await latest;
      if (failure !== undefined) throw failure;
    },
  };
}

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

type StreamEntry = [id: string, fields: string[]];

/**
 * Batches of a request's stream holding parts after `afterSeq`, oldest first, at most
 * `count` entries. The first batch may start before `afterSeq + 1`: callers drop what
 * they already have. A first batch starting after `afterSeq + 1` means those parts were
 * trimmed away.
 */
export async function readTokenStream(
  redis: RedisConnection,
  prefix: string,
  requestId: string,
  options: { afterSeq: number; count?: number },
): Promise<StreamMessage[]> {
  const entries = (await redis.xrange(streamKey(prefix, requestId), `0-${options.afterSeq + 1}`, '+', 'COUNT', options.count ?? 256)) as StreamEntry[];
  const messages: StreamMessage[] = [];
  for (const [, fields] of entries) {
    const message: StreamMessage = { kind: 'parts', requestId, seq: 0, parts: [] };
    for (let index = 0; index + 1 < fields.length; index += 2) {
      const value = fields[index + 1]!;
      switch (fields[index]) {
        case 'f':
          message.seq = Number(value);
          break;
        case 'p':
          message.parts = JSON.parse(value) as StreamPart[];
          break;
        case 'm':
          message.model = value;
          break;
      }
    }
    messages.push(message);
  }
  return messages;
}

/** Sequence number of the last part in a request's stream; 0 when it has none (never written, or expired). */
export async function lastTokenStreamSeq(redis: RedisConnection, prefix: string, requestId: string): Promise<number> {
  const entries = (await redis.xrevrange(streamKey(prefix, requestId), '+', '-', 'COUNT', 1)) as StreamEntry[];
  const id = entries[0]?.[0];
  return id === undefined ? 0 : Number(id.slice(id.indexOf('-') + 1));
}
