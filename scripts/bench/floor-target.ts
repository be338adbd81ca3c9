import { fileURLToPath } from 'node:url';
import { deletePrefix, uniquePrefix } from '@switchyard/testing';
import type { BenchRedis } from './bench-redis.ts';
import { spawnNode, type ChildService } from './child-process.ts';
import type { FloorMessage, FloorRun } from './floor-job.ts';
import type { LoadResult } from './load-generator.ts';
import type { LoopOptions, Target } from './targets.ts';

const producerScript = fileURLToPath(new URL('./floor-producer-process.ts', import.meta.url));
const workerScript = fileURLToPath(new URL('./floor-worker-process.ts', import.meta.url));

/**
 * The floor: what a queue-backed request/reply costs with nothing else. A BullMQ producer
 * process (Queue.add, then wait for the reply on its own pub/sub channel) and a no-op BullMQ
 * Worker process, on a private queue and key prefix in the bench Redis. No HTTP: it runs its
 * own closed loop for the scenarios that say how long its worker waits (`scenario.floor`).
 */
export async function startFloor(options: { redis: BenchRedis }): Promise<Target> {
  const prefix = uniquePrefix('bench-floor');
  const args = [options.redis.url, prefix, 'floor'];
  const children: ChildService[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await child.stop();
    await deletePrefix(options.redis.url, prefix);
  };
  try {
    const worker = spawnNode('floor-worker', workerScript, args, {});
    children.push(worker);
    await worker.ready();
    const producer = spawnNode('floor-producer', producerScript, args, {});
    children.push(producer);
    await producer.ready();
    const processes: Record<string, number> = { producer: producer.pid, worker: worker.pid };
    if (options.redis.pid !== undefined) processes['redis-server'] = options.redis.pid;
    return {
      name: 'floor',
      url: '',
      headers: {},
      processes,
      serves: (scenario) => scenario.floor !== undefined,
      runLoop: (scenario, loop) => runFloorRound(producer, { ...loop, delayMs: scenario.floor?.workerDelayMs ?? 0 }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One round on the producer: the window hooks fire when it says its window starts and ends. */
function runFloorRound(producer: ChildService, options: LoopOptions & { delayMs: number }): Promise<LoadResult> {
  const run: FloorRun = { concurrency: options.concurrency, warmupMs: options.warmupMs, durationMs: options.durationMs, delayMs: options.delayMs };
  return new Promise<LoadResult>((resolve, reject) => {
    const onExit = () => finish(new Error(`the floor producer exited mid-round:\n${producer.output()}`));
    const onMessage = (message: FloorMessage) => {
      if ('window' in message) {
        if (message.window === 'start') options.onWindowStart();
        else options.onWindowEnd();
      } else if ('outcome' in message) {
        finish(undefined, { ...message.outcome, firstTokenMs: [], tokens: 0 });
      } else if ('error' in message) {
        finish(new Error(`the floor producer failed: ${message.error}`));
      }
    };
    function finish(error: Error | undefined, result?: LoadResult) {
      producer.child.off('message', onMessage);
      producer.child.off('exit', onExit);
      if (error) reject(error);
      else resolve(result!);
    }
    producer.child.on('message', onMessage);
    producer.child.once('exit', onExit);
    producer.child.send(run);
  });
}
