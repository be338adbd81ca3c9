import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@switchyard/config';
import { priorityByMode } from '@switchyard/core';
import { breakerKey, bullmqPrefix, inferenceQueueName, ledgerStreamKey } from '@switchyard/queue';
import { deletePrefix, testRedis, uniquePrefix } from '@switchyard/testing';
import { createRedisRuleMetrics } from './rule-metrics-redis.ts';

// The Redis metrics against real queues: jobs waiting in every lane (sync in the wait list,
// async and batch lines prioritized), a breaker opened in its shared hash, ledger entries.
describe('rule metrics read from Redis', () => {
  const prefix = uniquePrefix('alerts');
  let url: string;
  let redis: Redis;
  let queue: Queue;
  const now = Date.now();

  beforeAll(async () => {
    url = (await testRedis()).url;
    redis = new Redis(url, { maxRetriesPerRequest: null });
    queue = new Queue(inferenceQueueName('mock'), { connection: redis, prefix: bullmqPrefix(prefix, inferenceQueueName('mock')) });
    const job = (id: string, secondsAgo: number, mode: keyof typeof priorityByMode) => ({
      name: 'inference',
      data: {},
      opts: { jobId: id, timestamp: now - secondsAgo * 1000, ...(mode === 'sync' ? {} : { priority: priorityByMode[mode] }) },
    });
    // In the order they would arrive; the oldest waits in the lowest lane, behind newer sync and async jobs.
    await queue.addBulk([
      job('batch-old', 90, 'batch'),
      job('sync-old', 30, 'sync'),
      job('batch-new', 20, 'batch'),
      job('async', 10, 'async'),
      job('sync-new', 5, 'sync'),
    ]);
    await redis.hset(breakerKey(prefix, 'mock', 'mock-fast'), 'state', 'open', 'opened_at', String(now));
    for (let index = 0; index < 3; index++) await redis.xadd(ledgerStreamKey(prefix), '*', 'entry', '{}');
  });
  afterAll(async () => {
    await queue?.close();
    await redis?.quit();
    await deletePrefix(url, prefix);
  });

  it('reads depth, oldest wait, open breakers and the ledger backlog', async () => {
    const config = loadConfig({ env: {}, overrides: { redis: { url, prefix } } });
    const metrics = createRedisRuleMetrics({ config, redis });
    try {
      expect(await metrics.queueWaiting()).toContainEqual({ subject: 'mock', provider: 'mock', value: 5 });
      const wait = (await metrics.queueWaitSeconds(new Date(now))).find((sample) => sample.subject === 'mock');
      expect(wait?.value).toBe(90);
      const breakers = await metrics.breakerOpen();
      expect(breakers).toContainEqual({ subject: 'mock/mock-fast', provider: 'mock', value: 1 });
      expect(breakers.filter((sample) => sample.provider === 'mock' && sample.subject !== 'mock/mock-fast').every((sample) => sample.value === 0)).toBe(true);
      expect(await metrics.ledgerLag()).toEqual([{ subject: 'ledger', value: 3 }]);

      await queue.remove('batch-old');
      expect((await metrics.queueWaitSeconds(new Date(now))).find((sample) => sample.subject === 'mock')?.value).toBe(30);
    } finally {
      await metrics.close();
    }
  });
});
