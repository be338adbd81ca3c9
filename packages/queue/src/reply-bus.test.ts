import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishReply, inlineReplyMaxBytes } from './publish.ts';
import { completedReply } from './test-replies.ts';
import { createReplyBus, type ReplyBus } from './reply-bus.ts';

describe('reply bus', () => {
  const prefix = `test-replies-${randomBytes(4).toString('hex')}`;
  const channel = `${prefix}:reply:api-one`;
  let commands: Redis;
  let subscriber: Redis;
  let bus: ReplyBus;

  beforeAll(async () => {
    commands = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    subscriber = commands.duplicate();
    bus = await createReplyBus({ subscriber, commands, channel });
  });
  afterAll(async () => {
    await bus.close();
    const keys = await commands.keys(`${prefix}:*`);
    if (keys.length > 0) await commands.del(...keys);
    subscriber.disconnect();
    await commands.quit();
  });

  it('delivers a reply too large for pub/sub through the stored copy', async () => {
    const output = { text: 'y'.repeat(inlineReplyMaxBytes * 2) };
    const wait = bus.waitForResult('req_large', { timeoutMs: 60_000, recheck: async () => undefined });
    await publishReply(commands, prefix, channel, completedReply('req_large', output));
    expect((await wait.promise)?.output).toEqual(output);
  });

  it('rechecks every waiter after a reconnect, and again a little later for results that land just after', async () => {
    let checks = 0;
    // The stored state has the result only from the second look on: the first look after
    // the reconnect comes too early. The deadline is far away, so only a later recheck can answer.
    const wait = bus.waitForResult('req_missed', {
      timeoutMs: 600_000,
      recheck: async () => (++checks >= 2 ? completedReply('req_missed') : undefined),
    });
    subscriber.disconnect(true);
    expect((await wait.promise)?.requestId).toBe('req_missed');
    expect(checks).toBeGreaterThanOrEqual(2);
  }, 20_000);
});
