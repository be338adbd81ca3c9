import { Queue } from 'bullmq';
import type { RedisConnection } from './connection.ts';
import type { InferenceJobData, JobOutcome } from '@switchyard/core';
import { bullmqPrefix, inferenceQueueName } from './names.ts';

export type InferenceQueue = Queue<InferenceJobData, JobOutcome>;

/** Producer-side BullMQ queues, one per provider, created on first use and sharing one connection. */
export type InferenceQueues = {
  get(provider: string): InferenceQueue;
  close(): Promise<void>;
};

export function createInferenceQueues(options: { connection: RedisConnection; prefix: string }): InferenceQueues {
  const queues = new Map<string, InferenceQueue>();
  return {
    get(provider) {
      let queue = queues.get(provider);
      if (!queue) {
        const name = inferenceQueueName(provider);
        queue = new Queue<InferenceJobData, JobOutcome>(name, { connection: options.connection, prefix: bullmqPrefix(options.prefix, name) });
        queues.set(provider, queue);
      }
      return queue;
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      queues.clear();
    },
  };
}
