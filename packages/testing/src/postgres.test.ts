import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './postgres.ts';

async function databaseExists(url: string, name: string): Promise<boolean> {
  const serverUrl = new URL(url);
  serverUrl.pathname = '/postgres';
  const client = new pg.Client({ connectionString: serverUrl.toString() });
  await client.connect();
  try {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('creates a fresh database and drops it even with a connection still open', async () => {
    const database = await createTestDatabase();
    const name = new URL(database.url).pathname.slice(1);
    expect(name).toMatch(/^switchyard_test_[0-9a-f]{12}$/);

    const client = new pg.Client({ connectionString: database.url });
    client.on('error', () => {});
    await client.connect();
    const tables = await client.query("SELECT count(*)::int AS count FROM information_schema.tables WHERE table_schema = 'public'");
    expect(tables.rows[0].count).toBe(0);

    await database.drop();
    expect(await databaseExists(database.url, name)).toBe(false);
    await client.end().catch(() => {});
  });

  it('gives each caller its own database', async () => {
    const [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    expect(first.url).not.toBe(second.url);
    await Promise.all([first.drop(), second.drop()]);
  });
});
