import { randomBytes } from 'node:crypto';
import { DelayedError, Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Database, Kysely } from '@switchyard/db';
import { createLogger } from '@switchyard/logger';
import { bullmqPrefix, webhookQueueName } from '@switchyard/queue';
import type { Dispatcher } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { deliveryJobId, type DeliveryJobData, type DeliveryJobResult } from './delivery-job.ts';
import { createDeliveryProcessor } from './process-delivery.ts';
import { createSendPermits, type SendPermits } from './send-permits.ts';
import { createSlotWaiters } from './slot-waiters.ts';
import { createWebhookMetrics } from './webhook-metrics.ts';

describe('parking a delivery whose destination is full (real Redis and BullMQ)', () => {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `test-parking-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const destination = 'receiver.example:443';
  const queue = new Queue<DeliveryJobData, DeliveryJobResult>(webhookQueueName, { connection: redis, prefix: bullmqPrefix(prefix, webhookQueueName) });
  const worker = new Worker<DeliveryJobData, DeliveryJobResult>(webhookQueueName, null, {
    connection: new Redis(url, { maxRetriesPerRequest: null }),
    prefix: bullmqPrefix(prefix, webhookQueueName),
  });
  const wake = async (jobId: string) => {
    const parked = await Job.fromId<DeliveryJobData, DeliveryJobResult>(queue, jobId);
    if (parked && (await parked.isDelayed())) await parked.promote();
  };

  afterAll(async () => {
    await worker.close();
    await queue.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  /** Runs one job of a full destination through the processor; `permits` decides what happens meanwhile. */
  const parkOneJob = async (deliveryId: string, permits: SendPermits) => {
    const processor = createDeliveryProcessor({
      // The job is parked before it would read Postgres or send anything.
      db: undefined as unknown as Kysely<Database>,
      dispatcher: undefined as unknown as Dispatcher,
      permits,
      waiters: createSlotWaiters({ perDestination: 0, total: 0 }), // no waiting in process: park at once
      wake,
      metrics: createWebhookMetrics(),
      logger: createLogger({ level: 'silent' }),
      encryptionKey: undefined,
      timeoutMs: 1000,
      retryScheduleSeconds: [1],
    });
    const data = { deliveryId, generation: 1, baseAttempts: 0, destination };
    await queue.add('deliver', data, { jobId: deliveryJobId(deliveryId, 1) });
    const token = `token-${deliveryId}`;
    const job = (await worker.getNextJob(token)) as Job<DeliveryJobData, DeliveryJobResult>;
    expect(job.id).toBe(deliveryJobId(deliveryId, 1));
    await expect(processor(job, token)).rejects.toBeInstanceOf(DelayedError);
    return job;
  };

  it('wakes itself when a release handed its id back while it was being parked', async () => {
    const permits = createSendPermits({ redis, prefix, limit: 1, leaseMs: 60_000 });
    expect(await permits.acquire(destination, 'other-delivery', 'other-holder')).toBe('ok');
    // The other holder finishes right after this job's id went on the parked list, while the
    // job is still active: the release pops the id, and its wake-up finds nothing delayed.
    const racing: SendPermits = {
      ...permits,
      async acquire(...args) {
        const answer = await permits.acquire(...args);
        if (answer === 'full' && args[3]) {
          const popped = await permits.release(destination, 'other-delivery', 'other-holder', 2);
          expect(popped).toEqual([args[3]]);
          for (const jobId of popped) await wake(jobId);
          expect(await (await Job.fromId(queue, args[3]))!.getState()).toBe('active');
        }
        return answer;
      },
    };
    const job = await parkOneJob('delivery-raced', racing);
    expect(await job.getState()).toBe('waiting'); // not delayed for the parked timeout
    expect(await permits.isParked(destination, job.id!)).toBe(false);
    await job.remove(); // out of the next test's way
  });

  it('stays parked, delayed, while its id waits for the next release, which wakes it', async () => {
    const permits = createSendPermits({ redis, prefix, limit: 1, leaseMs: 60_000 });
    expect(await permits.acquire(destination, 'holder-delivery', 'holder')).toBe('ok');
    const job = await parkOneJob('delivery-parked', permits);
    expect(await job.getState()).toBe('delayed');
    expect(await permits.isParked(destination, job.id!)).toBe(true);

    for (const jobId of await permits.release(destination, 'holder-delivery', 'holder', 2)) await wake(jobId);
    expect(await job.getState()).toBe('waiting');
    expect(await permits.isParked(destination, job.id!)).toBe(false);
  });
});
