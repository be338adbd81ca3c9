import { Queue } from 'bullmq';
import { createOrg, recordWebhookEvents } from '@switchyard/db';
import { createSilentLogger } from '@switchyard/logger';
import { bullmqPrefix, webhookQueueName } from '@switchyard/queue';
import { deletePrefix, eventually, testRedis, uniquePrefix } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../../packages/db/src/test-engines.ts';
import { deliveryJobId, type DeliveryJobData, type DeliveryJobResult } from './delivery-job.ts';
import { startOutboxRelay } from './outbox-relay.ts';

describe.each(engines)('outbox relay on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;
  let redisUrl: string;
  let redis: Redis;
  let orgId: string;
  const prefixes: string[] = [];

  beforeAll(async () => {
    handle = await engine.open();
    redisUrl = (await testRedis()).url;
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    orgId = (await createOrg(handle.db, { name: 'relay' })).id;
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deletePrefix(redisUrl, prefix);
    await redis?.quit();
    await handle?.cleanup();
  });

  const newQueue = () => {
    const prefix = uniquePrefix('relay');
    prefixes.push(prefix);
    return new Queue<DeliveryJobData, DeliveryJobResult>(webhookQueueName, { connection: redis, prefix: bullmqPrefix(prefix, webhookQueueName) });
  };
  const record = (count: number, label: string) =>
    recordWebhookEvents(
      handle.db,
      Array.from({ length: count }, (_, index) => ({
        orgId,
        type: 'job.completed' as const,
        subjectId: `req_${label}_${index}`,
        data: { id: `req_${label}_${index}` },
        webhookUrl: 'https://receiver.example/hooks',
      })),
    );
  const unqueued = async () => (await handle.db.selectFrom('webhook_deliveries').select('id').where('enqueued_at', 'is', null).execute()).length;

  it('moves every unqueued delivery onto the queue once per generation, in batches, and marks it queued', async () => {
    await record(7, 'batches');
    const queue = newQueue();
    const relays = [0, 1].map(() => startOutboxRelay({ db: handle.db, queue, logger: createSilentLogger(), pollIntervalMs: 50, batchSize: 3 }));
    await eventually('the outbox to drain', async () => (await unqueued()) === 0);
    await Promise.all(relays.map((relay) => relay.stop()));

    const rows = await handle.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'generation', 'enqueued_at'])
      .where('subject_id', 'like', 'req_batches_%')
      .execute();
    expect(rows).toHaveLength(7);
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.map((job) => job.id).sort()).toEqual(rows.map((row) => deliveryJobId(row.id, 0)).sort());
    expect(jobs.every((job) => job.data.generation === 0 && job.data.baseAttempts === 0)).toBe(true);
    await queue.close();
  });

  it('adds nothing twice when rows are relayed again (a crash between the add and the commit), and queues a new generation apart', async () => {
    await record(2, 'replay');
    const queue = newQueue();
    const relay = startOutboxRelay({ db: handle.db, queue, logger: createSilentLogger(), pollIntervalMs: 50 });
    await eventually('the outbox to drain', async () => (await unqueued()) === 0);
    // As if the first pass had died before its commit: the rows look unqueued again.
    await handle.db.updateTable('webhook_deliveries').set({ enqueued_at: null }).where('subject_id', 'like', 'req_replay_%').execute();
    relay.nudge();
    await eventually('the outbox to drain again', async () => (await unqueued()) === 0);
    expect(await queue.getJobCountByTypes('waiting')).toBe(2);

    // A manual retry: the next generation gets its own job, which carries the attempts made so far.
    const [first] = await handle.db.selectFrom('webhook_deliveries').select('id').where('subject_id', '=', 'req_replay_0').execute();
    await handle.db.updateTable('webhook_deliveries').set({ generation: 1, attempts: 4, enqueued_at: null }).where('id', '=', first!.id).execute();
    relay.nudge();
    await eventually('the new generation to be queued', async () => (await unqueued()) === 0);
    await relay.stop();
    const next = await queue.getJob(deliveryJobId(first!.id, 1));
    expect(next?.data).toEqual({ deliveryId: first!.id, generation: 1, baseAttempts: 4, destination: 'receiver.example:443' });
    expect(await queue.getJobCountByTypes('waiting')).toBe(3);
    await queue.close();
  });
});
