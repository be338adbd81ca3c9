// Child process: the floor's no-op BullMQ Worker. Takes each job, waits the job's `delayMs`
// (0: returns at once), publishes the reply on the producer's channel (`replyTo`) and
// completes. Arguments: <redis url> <key prefix> <queue name>. Sends { ready: true } over IPC.
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { FloorJob } from './floor-job.ts';

const [redisUrl = 'redis://127.0.0.1:6379', prefix = 'bench-floor', queueName = 'floor'] = process.argv.slice(2);
// Above the heaviest floor concurrency (64), so the worker never is the queue.
const concurrency = 128;

const publisher = new Redis(redisUrl, { maxRetriesPerRequest: null });
const worker = new Worker<FloorJob>(
  queueName,
  async (job) => {
    if (job.data.delayMs > 0) await sleep(job.data.delayMs);
    await publisher.publish(job.data.replyTo, job.data.requestId);
  },
  { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency },
);
await worker.waitUntilReady();

const stop = () => void Promise.allSettled([worker.close(), publisher.quit()]).finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
process.send!({ ready: true });
