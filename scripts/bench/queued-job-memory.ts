import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import type { BenchRedis } from './bench-redis.ts';
import { startScaleStack } from './scale-stack.ts';

export type QueuedJobMemory = {
  jobs: number;
  /** Bytes of the body each job carries (the chat request queued through POST /v1/jobs). */
  requestBytes: number;
  usedMemoryBefore: number;
  usedMemoryAfter: number;
  /** (after - before) / jobs * 1000. */
  bytesPerThousandJobs: number;
};

async function usedMemory(redis: Redis): Promise<number> {
  const value = Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1]);
  if (!Number.isFinite(value)) throw new Error('INFO memory has no used_memory');
  return value;
}

/**
 * Redis memory a queued job costs: INFO memory `used_memory` before and after `jobs`
 * async jobs are queued through the api with no worker running (so none leaves the
 * queue), divided. Its own api, prefix and database, so the throughput run's finished
 * jobs neither count nor expire during the measurement.
 */
export async function measureQueuedJobMemory(options: { upstreamUrl: string; redis: BenchRedis; jobs: number; requestBody: string }): Promise<QueuedJobMemory> {
  const stack = await startScaleStack({ upstreamUrl: options.upstreamUrl, redis: options.redis, workerConcurrency: 1, workers: 0 });
  const redis = new Redis(options.redis.url, { maxRetriesPerRequest: 1 });
  const pool = new Pool(stack.url, { connections: 16 });
  try {
    const body = JSON.stringify({ endpoint: '/v1/chat/completions', body: JSON.parse(options.requestBody) });
    // Let the api's start-up writes (instance registration, config version) land first.
    await sleep(1000);
    const before = await usedMemory(redis);
    let next = 0;
    let accepted = 0;
    const queueOne = async () => {
      while (next < options.jobs) {
        next++;
        const response = await pool.request({ path: '/v1/jobs', method: 'POST', headers: stack.headers, body });
        const text = await response.body.text();
        if (response.statusCode !== 202) throw new Error(`POST /v1/jobs answered ${response.statusCode}: ${text.slice(0, 300)}`);
        accepted++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, queueOne));
    const after = await usedMemory(redis);
    return {
      jobs: accepted,
      requestBytes: Buffer.byteLength(options.requestBody),
      usedMemoryBefore: before,
      usedMemoryAfter: after,
      bytesPerThousandJobs: ((after - before) / accepted) * 1000,
    };
  } finally {
    await pool.close();
    redis.disconnect();
    await stack.stop();
  }
}
