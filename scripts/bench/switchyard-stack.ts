import { fileURLToPath } from 'node:url';
import type { BenchRedis } from './bench-redis.ts';
import { prepareBenchEnvironment } from './bench-environment.ts';
import { spawnNode, waitForHealth, type ChildService } from './child-process.ts';
import type { Target } from './targets.ts';

const cliEntry = fileURLToPath(new URL('../../services/cli/src/main.ts', import.meta.url));

// Above the heaviest scenario's concurrency (2,000 streams), so the worker never is the queue.
export const workerConcurrency = 2048;

/**
 * Switchyard as an operator runs it split: one `api` process, one `worker --provider
 * openai` process and one `ledger` (which writes every request's usage and job record into
 * Postgres, as `all` does into its embedded database), on a fresh database and a Redis key
 * prefix of its own (both removed by stop()). The Postgres server's own CPU is not counted.
 */
export async function startSwitchyardSplit(options: { upstreamUrl: string; redis: BenchRedis }): Promise<Target> {
  const { url, apiKey, env, cleanup } = await prepareBenchEnvironment({ name: 'bench', ...options });
  const children: ChildService[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await child.stop();
    await cleanup();
  };
  try {
    const worker = spawnNode('worker', cliEntry, ['worker', '--provider', 'openai', '--concurrency', String(workerConcurrency)], env);
    children.push(worker);
    const ledger = spawnNode('ledger', cliEntry, ['ledger'], env);
    children.push(ledger);
    const api = spawnNode('api', cliEntry, ['api'], env);
    children.push(api);
    await waitForHealth(`${url}/health`, api);
    const processes: Record<string, number> = { api: api.pid, worker: worker.pid, ledger: ledger.pid };
    if (options.redis.pid !== undefined) processes['redis-server'] = options.redis.pid;
    return { name: 'switchyard-split', url, headers: { authorization: `Bearer ${apiKey}` }, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
