// Child process: the floor's producer. On each { concurrency, warmupMs, durationMs, delayMs }
// from the bench (IPC) it runs a closed loop of Queue.add + wait for the reply the worker
// publishes on this producer's channel (one pub/sub subscriber, as Switchyard's reply bus),
// and answers with the window marks and the outcome. Arguments: <redis url> <key prefix> <queue name>.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { runClosedLoop } from './closed-loop.ts';
import type { FloorJob, FloorMessage, FloorRun } from './floor-job.ts';
import { createReplyWaiters } from './reply-waiters.ts';

const [redisUrl = 'redis://127.0.0.1:6379', prefix = 'bench-floor', queueName = 'floor'] = process.argv.slice(2);
const replyTo = `${prefix}:replies:${randomUUID()}`;
const replyTimeoutMs = 30_000;

const queue = new Queue<FloorJob>(queueName, { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null });
const waiters = createReplyWaiters();
subscriber.on('message', (_channel: string, requestId: string) => waiters.settle(requestId));
await subscriber.subscribe(replyTo);
await queue.waitUntilReady();

const send = (message: FloorMessage) => process.send!(message);
let sequence = 0;

async function oneJob(delayMs: number): Promise<void> {
  const requestId = String(++sequence);
  const reply = waiters.wait(requestId, replyTimeoutMs);
  await queue.add(
    'chat',
    { requestId, replyTo, delayMs, model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Benchmark request: answer in one short sentence.' }] },
    { removeOnComplete: true, removeOnFail: true },
  );
  await reply;
}

process.on('message', (message: FloorRun) => {
  runClosedLoop({
    concurrency: message.concurrency,
    warmupMs: message.warmupMs,
    durationMs: message.durationMs,
    onWindowStart: () => send({ window: 'start' }),
    onWindowEnd: () => send({ window: 'end' }),
    operation: async () => {
      await oneJob(message.delayMs);
      return undefined;
    },
  }).then(
    (outcome) => send({ outcome }),
    (error: unknown) => send({ error: (error as Error).message }),
  );
});

const stop = () => {
  waiters.close('the producer stopped');
  void Promise.allSettled([queue.close(), subscriber.quit()]).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
send({ ready: true });
