import { fileURLToPath } from 'node:url';
import type { BenchRedis } from './bench-redis.ts';
import { prepareBenchEnvironment } from './bench-environment.ts';
import { spawnNode, waitForHealth, type ChildService } from './child-process.ts';

const cliEntry = fileURLToPath(new URL('../../services/cli/src/main.ts', import.meta.url));

export type BatchStack = {
  url: string;
  apiKey: string;
  orgId: string;
  databaseUrl: string;
  prefix: string;
  /** Environment the processes run with (the bench loads the same configuration). */
  env: Record<string, string>;
  stop(): Promise<void>;
};

/**
 * Switchyard split for the batch bench: `api`, `worker --provider openai` and `ledger`
 * (which runs the batch driver), on a fresh database and a key prefix of their own.
 */
export async function startBatchStack(options: { upstreamUrl: string; redis: BenchRedis; workerConcurrency: number }): Promise<BatchStack> {
  const { url, apiKey, orgId, databaseUrl, prefix, env, cleanup } = await prepareBenchEnvironment({ name: 'bench-batch', ...options });
  const children: ChildService[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await child.stop();
    await cleanup();
  };
  try {
    children.push(spawnNode('worker', cliEntry, ['worker', '--provider', 'openai', '--concurrency', String(options.workerConcurrency)], env));
    children.push(spawnNode('ledger', cliEntry, ['ledger'], env));
    const api = spawnNode('api', cliEntry, ['api'], env);
    children.push(api);
    await waitForHealth(`${url}/health`, api);
    return { url, apiKey, orgId, databaseUrl, prefix, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
