import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamMessage, StreamPart } from '@switchyard/core';
import { inlineReplyMaxBytes, publishReply } from './publish.ts';
import { completedReply } from './test-replies.ts';
import { createReplyBus } from './reply-bus.ts';
import { repliesLocally } from './local-replies.ts';
import { createTokenStreamWriter, readTokenStream } from './token-stream.ts';

const text = (value: string): StreamPart => ({ type: 'text-delta', text: value });

describe('replies handed over in this thread', () => {
  const prefix = `test-local-replies-${randomBytes(4).toString('hex')}`;
  let commands: Redis;
  /** A second subscriber on Redis: anything published on the reply channels lands here. */
  let observer: Redis;
  const published: string[] = [];
  const connections: Redis[] = [];

  beforeAll(async () => {
    commands = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    observer = commands.duplicate();
    await observer.psubscribe(`${prefix}:reply:*`);
    observer.on('pmessage', (_pattern: string, channel: string) => published.push(channel));
  });
  afterAll(async () => {
    const keys = await commands.keys(`${prefix}:*`);
    if (keys.length > 0) await commands.del(...keys);
    for (const connection of connections) connection.disconnect();
    observer.disconnect();
    await commands.quit();
  });

  const openBus = async (name: string, localReplies: boolean) => {
    const subscriber = commands.duplicate();
    connections.push(subscriber);
    const channel = `${prefix}:reply:${name}`;
    return { channel, bus: await createReplyBus({ subscriber, commands, channel, localReplies }) };
  };
  /** A marker published after the action: once the observer has it, anything published before it has landed too. */
  const publishedBefore = async (channel: string): Promise<string[]> => {
    const marker = `${channel}:marker`;
    await commands.publish(marker, 'x');
    await expect.poll(() => published.includes(marker)).toBe(true);
    return published.filter((seen) => seen === channel);
  };

  it('settles a waiter of a bus that listens here without publishing, large replies included', async () => {
    const { channel, bus } = await openBus('local', true);
    expect(repliesLocally(channel)).toBe(true);
    const small = bus.waitForResult('req_small', { timeoutMs: 60_000, recheck: async () => undefined });
    await publishReply(commands, prefix, channel, completedReply('req_small'));
    expect((await small.promise)?.output).toEqual({ text: 'done' });

    const output = { text: 'y'.repeat(inlineReplyMaxBytes * 2) };
    const large = bus.waitForResult('req_large', { timeoutMs: 60_000, recheck: async () => undefined });
    await publishReply(commands, prefix, channel, completedReply('req_large', output));
    expect((await large.promise)?.output).toEqual(output);
    // Handed over whole: nothing stored by reference, nothing published.
    expect(await commands.keys(`${prefix}:*reply*req_large*`)).toEqual([]);
    expect(await publishedBefore(channel)).toEqual([]);

    await bus.close();
    expect(repliesLocally(channel)).toBe(false);
  });

  it('publishes through Redis for a bus that does not listen here, or no longer does', async () => {
    const { channel, bus } = await openBus('remote', false);
    expect(repliesLocally(channel)).toBe(false);
    const wait = bus.waitForResult('req_remote', { timeoutMs: 60_000, recheck: async () => undefined });
    await publishReply(commands, prefix, channel, completedReply('req_remote'));
    expect((await wait.promise)?.requestId).toBe('req_remote');
    expect(await publishedBefore(channel)).toEqual([channel]);
    await bus.close();
  });

  it('hands a token batch over only once Redis holds it, and a refused append hands nothing', async () => {
    const { channel, bus } = await openBus('tokens', true);
    const seen: Array<{ seq: number; parts: number; inRedis: number }> = [];
    const pending: Array<Promise<void>> = [];
    bus.onStreamParts('req_tokens', (message: StreamMessage) => {
      // What the stream holds at the moment the batch arrives.
      pending.push(
        readTokenStream(commands, prefix, 'req_tokens', { afterSeq: 0 }).then((stored) => {
          seen.push({ seq: message.seq, parts: message.parts.length, inRedis: stored.reduce((sum, batch) => sum + batch.parts.length, 0) });
        }),
      );
    });
    const writer = createTokenStreamWriter(commands, { prefix, requestId: 'req_tokens', replyTo: channel, flushIntervalMs: 10_000 });
    writer.write(text('a'));
    writer.write(text('b'));
    writer.write({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 2 } });
    await writer.close();
    await expect.poll(() => pending.length).toBe(2);
    await Promise.all(pending);
    expect(seen.sort((a, b) => a.seq - b.seq)).toEqual([
      { seq: 1, parts: 1, inRedis: expect.any(Number) },
      { seq: 2, parts: 2, inRedis: 3 },
    ]);
    expect(seen[0]!.inRedis).toBeGreaterThanOrEqual(1);

    // A second writer of the same request (a job run twice) is refused by Redis: nothing reaches the api.
    const second = createTokenStreamWriter(commands, { prefix, requestId: 'req_tokens', replyTo: channel });
    second.write(text('diverging'));
    await expect(second.close()).rejects.toThrow();
    expect(pending).toHaveLength(2);
    expect(await publishedBefore(channel)).toEqual([]);
    await bus.close();
  });
});
