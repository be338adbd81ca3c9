import { createTestDatabase, deletePrefix, freePort, uniquePrefix } from '@switchyard/testing';
import type { BenchRedis } from './bench-redis.ts';
import { seedBenchTenant } from './bench-tenant.ts';

/** Where a split-stack bench runs its `switchyard` processes, and how to leave nothing behind. */
export type BenchEnvironment = {
  prefix: string;
  databaseUrl: string;
  orgId: string;
  apiKey: string;
  /** The api's port and address. */
  url: string;
  /** The processes' environment: this Redis prefix and database, the mock upstream as provider `openai`. */
  env: Record<string, string>;
  /** Drops the database and the prefix's keys. */
  cleanup(): Promise<void>;
};

/** A fresh migrated database with one org and key, a Redis key prefix of its own and a free api port. */
export async function prepareBenchEnvironment(options: { name: string; upstreamUrl: string; redis: BenchRedis }): Promise<BenchEnvironment> {
  const prefix = uniquePrefix(options.name);
  const database = await createTestDatabase();
  const cleanup = async () => {
    await database.drop();
    await deletePrefix(options.redis.url, prefix);
  };
  try {
    const { orgId, apiKey } = await seedBenchTenant(database.url, options.name);
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
    return { prefix, databaseUrl: database.url, orgId, apiKey, url: `http://127.0.0.1:${port}`, env, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
