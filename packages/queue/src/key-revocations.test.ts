import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bumpAuthRevision, readAuthRevision, watchAuthRevision, type AuthRevisionWatch } from './key-revocations.ts';
import { authRevisionKey } from './names.ts';

describe('watchAuthRevision', () => {
  let prefix: string;
  let commands: Redis;
  let subscriber: Redis;
  let watch: AuthRevisionWatch | undefined;
  let reads: number;
  const read = () => {
    reads += 1;
    return readAuthRevision(commands, prefix);
  };

  beforeEach(() => {
    prefix = `test-revision-${randomBytes(4).toString('hex')}`;
    commands = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    subscriber = commands.duplicate();
    reads = 0;
  });
  afterEach(async () => {
    await watch?.close();
    watch = undefined;
    await commands.del(authRevisionKey(prefix));
    subscriber.disconnect();
    await commands.quit();
  });

  it('answers from memory once live, and learns a bump from its message without reading', async () => {
    await bumpAuthRevision(commands, prefix);
    watch = await watchAuthRevision({ subscriber, commands, prefix, read, refreshMs: 600_000 });
    expect(watch.live).toBe(true);
    const readsWhenLive = reads;
    expect(await watch.current()).toBe('1');

    // Another process revokes a key: the published value reaches the watch.
    const other = commands.duplicate();
    await bumpAuthRevision(other, prefix);
    await other.quit();
    await vi.waitFor(async () => expect(await watch!.current()).toBe('2'));
    expect(reads).toBe(readsWhenLive);
  });

  it('is live once it returns when its subscriber connects during the first sync-up', async () => {
    // The connection becomes ready after the watch subscribed through its offline queue:
    // the 'ready' starts a second sync-up, and the watch returns only once that one is done.
    subscriber.disconnect();
    subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
    await bumpAuthRevision(commands, prefix);
    // The second sync-up's read answers late, as on a loaded machine: the first one's
    // answer comes back while the second is still under way.
    const readLateTheSecondTime = async () => {
      const value = await read();
      if (reads === 2) await new Promise((resolve) => setTimeout(resolve, 100));
      return value;
    };
    watch = await watchAuthRevision({ subscriber, commands, prefix, read: readLateTheSecondTime, refreshMs: 600_000 });
    expect(reads).toBe(2);
    expect(watch.live).toBe(true);
    expect(await watch.current()).toBe('1');
  });

  it('reads per call while its subscriber is away, and catches up on a bump it missed once back', async () => {
    // Asked before the connection enters subscriber mode, where CLIENT is refused.
    const subscriberId = String(await subscriber.client('ID'));
    watch = await watchAuthRevision({ subscriber, commands, prefix, read, refreshMs: 600_000 });
    expect(await watch.current()).toBe('0');
    const lapsed = new Promise((resolve) => subscriber.once('close', resolve));
    await commands.client('KILL', 'ID', subscriberId);
    await lapsed;
    expect(watch.live).toBe(false);
    // Published while the subscriber is away: the message is lost, the read is not.
    await bumpAuthRevision(commands, prefix);
    const before = reads;
    expect(await watch.current()).toBe('1');
    expect(reads).toBe(before + 1);

    await vi.waitFor(() => expect(watch!.live).toBe(true), { timeout: 10_000 });
    expect(await watch.current()).toBe('1');
  }, 20_000);

  it('sees a bump whose message never came within its refresh interval', async () => {
    watch = await watchAuthRevision({ subscriber, commands, prefix, read, refreshMs: 50 });
    expect(await watch.current()).toBe('0');
    // A publisher that died between INCR and PUBLISH.
    await commands.incr(authRevisionKey(prefix));
    await vi.waitFor(async () => expect(await watch!.current()).toBe('1'));
  });

  it('never goes back to an older value, whatever a message says', async () => {
    await commands.set(authRevisionKey(prefix), '5');
    watch = await watchAuthRevision({ subscriber, commands, prefix, read, refreshMs: 600_000 });
    const channel = `${prefix}:auth:revision:changed`;
    const delivered = (text: string) =>
      new Promise<void>((resolve) =>
        subscriber.on('message', (messageChannel: string, message: string) => messageChannel === channel && message === text && resolve()),
      );
    const stale = delivered('3');
    await commands.publish(channel, '3');
    await commands.publish(channel, 'not a number');
    await stale;
    expect(await watch.current()).toBe('5');
    await commands.publish(channel, '7');
    await vi.waitFor(async () => expect(await watch!.current()).toBe('7'));
  });

  it('reads per call again once closed', async () => {
    watch = await watchAuthRevision({ subscriber, commands, prefix, read, refreshMs: 600_000 });
    await watch.close();
    await commands.incr(authRevisionKey(prefix));
    expect(await watch.current()).toBe('1');
  });
});
