import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamMessage, StreamPart } from '@switchyard/core';
import { streamKey, streamWatchChannel } from './names.ts';
import { createTokenStreamWriter, lastTokenStreamSeq, readTokenStream } from './token-stream.ts';

const text = (value: string): StreamPart => ({ type: 'text-delta', text: value });
const finish: StreamPart = { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 5 } };

describe('token stream', () => {
  let redis: Redis;
  let subscriber: Redis;
  const prefix = `test-tokens-${randomBytes(4).toString('hex')}`;
  const received = new Map<string, StreamMessage[]>();

  beforeAll(async () => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    subscriber = redis.duplicate();
    subscriber.on('message', (channel: string, message: string) => {
      const list = received.get(channel) ?? [];
      list.push(JSON.parse(message) as StreamMessage);
      received.set(channel, list);
    });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await subscriber.quit();
    await redis.quit();
  });

  it('sends the first part at once, batches the rest, and publishes what it appends', async () => {
    const requestId = 'req_batched';
    const replyTo = `${prefix}:reply:one`;
    await subscriber.subscribe(replyTo, streamWatchChannel(prefix, requestId));
    const writer = createTokenStreamWriter(redis, { prefix, requestId, replyTo, model: 'gpt-4o', flushIntervalMs: 10_000 });
    writer.write(text('a'));
    // The first part is on its way before any timer runs.
    await expect.poll(() => received.get(replyTo)?.length ?? 0).toBe(1);
    for (const value of ['b', 'c', 'd']) writer.write(text(value));
    writer.write(finish);
    await writer.close();
    await expect.poll(() => received.get(streamWatchChannel(prefix, requestId))?.length ?? 0).toBe(2);

    const live = received.get(replyTo)!;
    expect(live.map((message) => [message.seq, message.parts.length, message.model])).toEqual([
      [1, 1, 'gpt-4o'],
      [2, 4, undefined],
    ]);
    expect(live[1]!.parts.at(-1)).toEqual(finish);
    expect(writer.lastSeq).toBe(5);

    const stored = await readTokenStream(redis, prefix, requestId, { afterSeq: 0 });
    expect(stored).toEqual(live);
    const ttl = await redis.ttl(streamKey(prefix, requestId));
    expect(ttl).toBeGreaterThan(500);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('reads the batches holding the parts after a sequence number', async () => {
    const requestId = 'req_resume';
    const writer = createTokenStreamWriter(redis, { prefix, requestId, maxBatchParts: 3, flushIntervalMs: 1000 });
    for (const value of ['1', '2', '3', '4', '5', '6', '7']) writer.write(text(value));
    await writer.close();
    // Batches: [1], [2, 3, 4], [5, 6, 7]: the first flush goes at once.
    const afterThree = await readTokenStream(redis, prefix, requestId, { afterSeq: 3 });
    expect(afterThree.map((message) => message.seq)).toEqual([2, 5]);
    const afterSeven = await readTokenStream(redis, prefix, requestId, { afterSeq: 7 });
    expect(afterSeven).toEqual([]);
    expect(await lastTokenStreamSeq(redis, prefix, requestId)).toBe(7);
    expect(await lastTokenStreamSeq(redis, prefix, 'req_never_written')).toBe(0);
  });

  it('refuses a second writer that would restart the sequence', async () => {
    const requestId = 'req_twice';
    const watched = streamWatchChannel(prefix, requestId);
    await subscriber.subscribe(watched);
    const first = createTokenStreamWriter(redis, { prefix, requestId });
    first.write(text('x'));
    first.write(text('y'));
    await first.close();
    const second = createTokenStreamWriter(redis, { prefix, requestId });
    second.write(text('other'));
    await expect(second.close()).rejects.toThrow(/equal or smaller/);
    expect(() => second.write(text('more'))).toThrow();
    // The refused batch was not published either: everything before this marker is in.
    await redis.publish(watched, JSON.stringify({ kind: 'parts', requestId, seq: 0, parts: [] }));
    await expect.poll(() => received.get(watched)?.at(-1)?.seq).toBe(0);
    expect(received.get(watched)!.flatMap((message) => message.parts)).toEqual([text('x'), text('y')]);

    const resumed = createTokenStreamWriter(redis, { prefix, requestId, startAfter: await lastTokenStreamSeq(redis, prefix, requestId) });
    resumed.write({ type: 'error', error: { code: 'upstream_error', message: 'gone' } });
    await resumed.close();
    expect(await lastTokenStreamSeq(redis, prefix, requestId)).toBe(3);
  });

  it('writes nothing when nothing was written', async () => {
    const writer = createTokenStreamWriter(redis, { prefix, requestId: 'req_empty' });
    await writer.close();
    expect(await redis.exists(streamKey(prefix, 'req_empty'))).toBe(0);
  });
});
