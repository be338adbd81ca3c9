import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisReachable } from './connection.ts';
import { redisScript } from './redis-script.ts';

/** Every byte the client writes on its socket, as text. */
function recordWrites(redis: Redis): { text(): string; clear(): void } {
  const socket = redis.stream as unknown as { write: (chunk: unknown, ...rest: unknown[]) => boolean };
  const original = socket.write.bind(socket);
  let written = '';
  socket.write = (chunk, ...rest) => {
    written += String(chunk);
    return original(chunk, ...rest);
  };
  return { text: () => written, clear: () => (written = '') };
}

/** A loopback port free right now (this package cannot use @switchyard/testing, which depends on it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// A marker only this run's scripts carry, so the text is easy to spot on the wire.
const marker = `switchyard-script-test-${randomBytes(4).toString('hex')}`;
const echo = redisScript(
  `TestEcho${randomBytes(3).toString('hex')}`,
  1,
  `-- ${marker}
redis.call('SET', KEYS[1], ARGV[1])
return {KEYS[1], ARGV[1], ARGV[2]}`,
);

describe('Lua scripts sent by their SHA1', () => {
  const prefix = `test-script-${randomBytes(4).toString('hex')}`;
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const connections: Redis[] = [];
  const children: ChildProcess[] = [];
  const connect = async (target = url) => {
    const redis = new Redis(target, { maxRetriesPerRequest: null });
    connections.push(redis);
    await redis.ping();
    return redis;
  };

  afterAll(async () => {
    const cleaner = new Redis(url);
    const keys = await cleaner.keys(`${prefix}:*`);
    if (keys.length > 0) await cleaner.del(...keys);
    cleaner.disconnect();
    for (const redis of connections) redis.disconnect();
    for (const child of children) child.kill();
  });

  it('sends the text once per connection, then only the SHA1, with the same answers', async () => {
    const redis = await connect();
    const wire = recordWrites(redis);
    expect(await echo.run(redis, [`${prefix}:a`], ['one', 2])).toEqual([`${prefix}:a`, 'one', '2']);
    expect(wire.text()).toContain(marker);
    wire.clear();
    expect(await echo.run(redis, [`${prefix}:b`], ['two', 3])).toEqual([`${prefix}:b`, 'two', '3']);
    expect(wire.text()).not.toContain(marker);
    expect(wire.text().toLowerCase()).toContain('evalsha');
    expect(await redis.get(`${prefix}:b`)).toBe('two');
  });

  it('sends the text again when the server lost its scripts (NOSCRIPT)', async () => {
    // A private server: flushing the scripts of the shared one would disturb other tests.
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.push(child);
    const privateUrl = `redis://127.0.0.1:${port}`;
    for (let tries = 0; tries < 50 && !(await redisReachable(privateUrl, 200)); tries++) await new Promise((done) => setTimeout(done, 100));
    const redis = await connect(privateUrl);
    expect(await echo.run(redis, ['k1'], ['a', 1])).toEqual(['k1', 'a', '1']);
    await redis.script('FLUSH');
    expect(await echo.run(redis, ['k2'], ['b', 2])).toEqual(['k2', 'b', '2']);
  });

  it('refuses a call with the wrong number of keys', async () => {
    const redis = await connect();
    expect(() => echo.run(redis, [], ['x'])).toThrow(/takes 1 key/);
  });
});
