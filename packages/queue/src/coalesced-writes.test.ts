import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { coalesceWrites } from './coalesced-writes.ts';

type SocketHooks = { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };

/** Counts the socket writes Node makes (one `_write` per chunk, or one `_writev` for everything buffered). */
function countSocketWrites(redis: Redis): { count(): number } {
  const socket = redis.stream as unknown as SocketHooks;
  let writes = 0;
  const single = socket._write.bind(socket);
  const vector = socket._writev.bind(socket);
  socket._write = (...args) => {
    writes += 1;
    single(...args);
  };
  socket._writev = (...args) => {
    writes += 1;
    vector(...args);
  };
  return { count: () => writes };
}

describe('coalesced Redis writes', () => {
  const prefix = `test-coalesce-${randomBytes(4).toString('hex')}`;
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const connections: Redis[] = [];
  const connect = async (coalesced: boolean) => {
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    connections.push(redis);
    if (coalesced) coalesceWrites(redis);
    await redis.ping();
    return redis;
  };

  afterAll(async () => {
    const cleaner = new Redis(url);
    const keys = await cleaner.keys(`${prefix}:*`);
    if (keys.length > 0) await cleaner.del(...keys);
    await cleaner.quit();
    for (const redis of connections) redis.disconnect();
  });

  it('sends the commands of one turn in one socket write, each answered in order', async () => {
    const plain = await connect(false);
    const coalesced = await connect(true);
    const plainWrites = countSocketWrites(plain);
    const coalescedWrites = countSocketWrites(coalesced);
    const issue = (redis: Redis, label: string) => Array.from({ length: 20 }, (_, index) => redis.incr(`${prefix}:${label}`).then((value) => [index, value]));

    const [plainAnswers, coalescedAnswers] = await Promise.all([Promise.all(issue(plain, 'plain')), Promise.all(issue(coalesced, 'coalesced'))]);

    expect(plainWrites.count()).toBe(20);
    expect(coalescedWrites.count()).toBe(1);
    const inOrder = Array.from({ length: 20 }, (_, index) => [index, index + 1]);
    expect(plainAnswers).toEqual(inOrder);
    expect(coalescedAnswers).toEqual(inOrder);
  });

  it('sends the commands of separate callbacks of one event-loop iteration in one socket write', async () => {
    const redis = await connect(true);
    const writes = countSocketWrites(redis);
    // Two immediates queued in one turn run as two callbacks of one check phase, as the I/O
    // callbacks of one poll do. (Two 0 ms timers can fall on either side of a millisecond
    // boundary on a busy machine, and so into two iterations.)
    const fromCallback = () =>
      new Promise<number[]>((resolve) =>
        setImmediate(() => void Promise.all(Array.from({ length: 5 }, () => redis.incr(`${prefix}:iteration`))).then(resolve)),
      );
    const answers = (await Promise.all([fromCallback(), fromCallback()])).flat();
    expect(writes.count()).toBe(1);
    expect(answers.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, index) => index + 1));
  });

  it('lets a failing command fail alone among the others of its turn', async () => {
    const redis = await connect(true);
    await redis.set(`${prefix}:text`, 'not a number');
    const results = await Promise.allSettled([redis.set(`${prefix}:a`, '1'), redis.incr(`${prefix}:text`), redis.get(`${prefix}:a`)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseFulfilledResult<string>).value).toBe('1');
  });

  it('keeps coalescing on the socket of a reconnect, and loses nothing issued across it', async () => {
    const redis = await connect(true);
    const before = redis.stream;
    redis.disconnect(true);
    const answers = await Promise.all(Array.from({ length: 10 }, () => redis.incr(`${prefix}:reconnect`)));
    expect(redis.stream).not.toBe(before);
    expect(answers.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, index) => index + 1));

    const writes = countSocketWrites(redis);
    await Promise.all(Array.from({ length: 10 }, () => redis.incr(`${prefix}:reconnect`)));
    expect(writes.count()).toBe(1);
  });
});
