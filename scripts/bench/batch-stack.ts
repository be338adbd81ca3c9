import { fileURLToPath } from 'node:url';
import { createApiKey, createDb, createOrg, migrateToLatest } from '@switchyard/db';
import { createTestDatabase, deletePrefix, uniquePrefix } from '@switchyard/testing';
import type { BenchRedis } from './bench-redis.ts';
import { spawnNode, type ChildService } from './child-process.ts';
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
    const handle = await createDb({ url: database.url });
    let apiKey: string;
    let orgId: string;
    try {
      await migrateToLatest(handle.db);
      const org = await createOrg(handle.db, { name: 'bench-batch' });
      orgId = org.id;
      apiKey = (await createApiKey(handle.db, { orgId, name: 'bench' })).key;
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
    children.push(spawnNode('worker', cliEntry, ['worker', '--provider', 'openai', '--concurrency', String(options.workerConcurrency)], env));
    children.push(spawnNode('ledger', cliEntry, ['ledger'], env));
    const api = spawnNode('api', cliEntry, ['api'], env);
    children.push(api);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (api.child.exitCode !== null) throw new Error(`api exited early:\n${api.output()}`);
      if (
        await fetch(`${url}/health`).then(
          (response) => response.ok,
          () => false,
        )
      )
        break;
      if (Date.now() > deadline) throw new Error(`api did not answer within 30 s:\n${api.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { url, apiKey, orgId, databaseUrl: database.url, prefix, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
