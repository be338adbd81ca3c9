import { fileURLToPath } from 'node:url';
import { createTestDatabase, deletePrefix, uniquePrefix } from '@switchyard/testing';
import type { BenchRedis } from './bench-redis.ts';
import { seedBenchTenant } from './bench-tenant.ts';
import { spawnNode, waitForHealth, type ChildService } from './child-process.ts';
import { freePort } from './free-port.ts';

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
  const prefix = uniquePrefix('bench-batch');
  const database = await createTestDatabase();
  const children: ChildService[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await child.stop();
    await database.drop();
    await deletePrefix(options.redis.url, prefix);
  };
  try {
    const { orgId, apiKey } = await seedBenchTenant(database.url, 'bench-batch');
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
    children.push(spawnNode('worker', cliEntry, ['worker', '--provider', 'openai', '--concurrency', String(options.workerConcurrency)], env));
    children.push(spawnNode('ledger', cliEntry, ['ledger'], env));
    const api = spawnNode('api', cliEntry, ['api'], env);
    children.push(api);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(`${url}/health`, api);
    return { url, apiKey, orgId, databaseUrl: database.url, prefix, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
