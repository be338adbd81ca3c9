import { fileURLToPath } from 'node:url';
import type { BenchRedis } from './bench-redis.ts';
import { prepareBenchEnvironment } from './bench-environment.ts';
import { spawnNode, waitForHealth, type ChildService } from './child-process.ts';
import { freePort } from '@switchyard/testing';

const cliEntry = fileURLToPath(new URL('../../services/cli/src/main.ts', import.meta.url));

/** One `api` and any number of `worker --provider openai` processes, added and removed between measurements. */
export type ScaleStack = {
  url: string;
  headers: Record<string, string>;
  apiPid: number;
  /** Pids of the worker processes running now, oldest first. */
  workerPids(): number[];
  /** Starts workers or stops the newest until `count` run; resolves once each new one serves /health. */
  scaleWorkers(count: number): Promise<void>;
  stop(): Promise<void>;
};

/**
 * The split stack on a fresh database and a Redis key prefix of its own (both removed by
 * stop()). Every worker gets the same `--concurrency`, at least the load's, so one worker
 * alone is never capped by its slot count: what two add is what a second process adds.
 */
export async function startScaleStack(options: { upstreamUrl: string; redis: BenchRedis; workerConcurrency: number; workers: number }): Promise<ScaleStack> {
  const { url, apiKey, env, cleanup } = await prepareBenchEnvironment({ name: 'bench-scale', ...options });
  const workers: ChildService[] = [];
  let api: ChildService | undefined;
  const stop = async () => {
    for (const worker of workers.reverse()) await worker.stop();
    await api?.stop();
    await cleanup();
  };
  try {
    api = spawnNode('api', cliEntry, ['api'], env);
    await waitForHealth(`${url}/health`, api);
    const scaleWorkers = async (count: number) => {
      while (workers.length > count) await workers.pop()!.stop();
      while (workers.length < count) {
        const metricsPort = await freePort();
        const worker = spawnNode(
          `worker-${workers.length + 1}`,
          cliEntry,
          ['worker', '--provider', 'openai', '--concurrency', String(options.workerConcurrency)],
          { ...env, METRICS_PORT: String(metricsPort) },
        );
        workers.push(worker);
        // /health on the metrics port answers once the worker has joined the queue.
        await waitForHealth(`http://127.0.0.1:${metricsPort}/health`, worker);
      }
    };
    await scaleWorkers(options.workers);
    return {
      url,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      apiPid: api.pid,
      workerPids: () => workers.map((worker) => worker.pid),
      scaleWorkers,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
