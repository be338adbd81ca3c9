import { fileURLToPath } from 'node:url';
import { createApiKey, createDb, createOrg, migrateToLatest } from '@switchyard/db';
import { createTestDatabase, deletePrefix, uniquePrefix } from '@switchyard/testing';
import type { BenchRedis } from './bench-redis.ts';
import { spawnNode, type ChildService } from './child-process.ts';
import { freePort } from './free-port.ts';
import type { Target } from './targets.ts';

const cliEntry = fileURLToPath(new URL('../../services/cli/src/main.ts', import.meta.url));

// Above the heaviest scenario's concurrency, so the worker never is the queue.
const workerConcurrency = 128;

/**
 * Switchyard as an operator runs it split: one `api` process and one `worker --provider
 * openai` process, on a fresh database and a Redis key prefix of its own (both removed by
 * stop()).
 */
export async function startSwitchyard(options: { upstreamUrl: string; redis: BenchRedis }): Promise<Target> {
  const prefix = uniquePrefix('bench');
  const database = await createTestDatabase();
  const children: ChildService[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await child.stop();
    await database.drop();
    await deletePrefix(options.redis.url, prefix);
  };
  try {
    const handle = await createDb({ url: database.url });
    let apiKey: string;
    try {
      await migrateToLatest(handle.db);
      const org = await createOrg(handle.db, { name: 'bench' });
      apiKey = (await createApiKey(handle.db, { orgId: org.id, name: 'bench' })).key;
    } finally {
      await handle.close();
    }
    const port = await freePort();
    const env = {
      REDIS_URL: options.redis.url,
      DATABASE_URL: database.url,
      SWITCHYARD_REDIS_PREFIX: prefix,
      OPENAI_API_KEY: 'sk-upstream',
      OPENAI_BASE_URL: options.upstreamUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    const worker = spawnNode('worker', cliEntry, ['worker', '--provider', 'openai', '--concurrency', String(workerConcurrency)], env);
    children.push(worker);
    const api = spawnNode('api', cliEntry, ['api'], env);
    children.push(api);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(`${url}/health`, api);
    const processes: Record<string, number> = { api: api.pid, worker: worker.pid };
    if (options.redis.pid !== undefined) processes['redis-server'] = options.redis.pid;
    return { name: 'switchyard', url, headers: { authorization: `Bearer ${apiKey}` }, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForHealth(url: string, service: ChildService, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited early:\n${service.output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${service.name} did not answer ${url} within ${timeoutMs} ms:\n${service.output()}`);
}
