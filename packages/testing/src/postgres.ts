import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type TestDatabase = { url: string; drop(): Promise<void> };

const defaultUrl = 'postgres://postgres@127.0.0.1:5432/test';

// One server per test process: the configured one, else a container started on first use.
let serverUrl: Promise<string> | undefined;

/**
 * A fresh, empty database `switchyard_test_<random>` on the server named by DATABASE_URL
 * (or a throwaway Postgres container when that server is unreachable and Docker is
 * present). `drop()` ends its connections and removes it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  serverUrl ??= findServer().catch((error: unknown) => {
    serverUrl = undefined;
    throw error;
  });
  const adminUrl = await serverUrl;
  const name = `switchyard_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  let dropped = false;
  return {
    url: databaseUrl(adminUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(adminUrl, async (client) => {
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await client.query(`DROP DATABASE IF EXISTS ${name}`);
      });
    },
  };
}

async function findServer(): Promise<string> {
  const configured = process.env.DATABASE_URL ?? defaultUrl;
  let reason: unknown;
  try {
    await withClient(configured, (client) => client.query('SELECT 1'));
    return configured;
  } catch (error) {
    reason = error;
  }
  const containerUrl = await startContainer().catch(() => undefined);
  if (containerUrl) return containerUrl;
  throw new Error(
    `Postgres is unreachable at DATABASE_URL=${redactPassword(configured)} (${(reason as Error).message}) and no Docker engine is available for a testcontainer. Start Postgres or set DATABASE_URL.`,
  );
}

async function startContainer(): Promise<string> {
  // Imported only here: loading testcontainers probes for Docker, which most runs never need.
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:16-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/test`;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable)';
  }
}
