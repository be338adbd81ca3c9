import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { InferenceJobData, JobOutcome } from '@switchyard/core';
import { inferenceQueueName } from './names.ts';

export type InferenceQueue = Queue<InferenceJobData, JobOutcome>;

/** Producer-side BullMQ queues, one per provider, created on first use and sharing one connection. */
export type InferenceQueues = {
  get(provider: string): InferenceQueue;
  close(): Promise<void>;
};

export function createInferenceQueues(options: { connection: Redis; prefix: string }): InferenceQueues {
  const queues = new Map<string, InferenceQueue>();
  return {
    get(provider) {
      let queue = queues.get(provider);
      if (!queue) {
        queue = new Queue<InferenceJobData, JobOutcome>(inferenceQueueName(provider), {
          connection: options.connection,
          prefix: options.prefix,
        });
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
