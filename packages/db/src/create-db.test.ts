import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/testing';
import { createDb } from './create-db.ts';

const run = promisify(execFile);
const createDbModule = fileURLToPath(new URL('./create-db.ts', import.meta.url));

// In a fresh Node process: open one engine, close it, print every module URL it loaded.
async function modulesLoadedBy(options: { url?: string; dataDir?: string }): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    const { createDb } = await import(${JSON.stringify(createDbModule)});
    const handle = await createDb(${JSON.stringify(options)});
    await handle.close();
    process.stdout.write(JSON.stringify(loaded));
  `;
  const { stdout } = await run(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '--eval', script]);
  return JSON.parse(stdout) as string[];
}

const isPglite = (url: string) => url.includes('@electric-sql/pglite') || url.includes('kysely-pglite-dialect');

describe('createDb', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('does not load PGlite when it opens Postgres', async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanups.push(() => database.drop());
    const loaded = await modulesLoadedBy({ url: database.url });
    expect(loaded.some((url) => url.includes('/pg/'))).toBe(true);
    expect(loaded.filter(isPglite)).toEqual([]);
  });

  it('loads PGlite for the embedded database, initializes a fresh one and reopens it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-create-db-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    expect((await modulesLoadedBy({ dataDir })).some(isPglite)).toBe(true);

    const handle = await createDb({ dataDir });
    try {
      expect(handle.kind).toBe('pglite');
      const { rows } = await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(handle.db);
      expect(rows[0]?.shared_buffers).toBe('16MB');
    } finally {
      await handle.close();
    }
  });

  it('names the data directory when the embedded database cannot be created there', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'switchyard-create-db-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const file = join(directory, 'not-a-directory');
    await writeFile(file, 'x');
    await expect(createDb({ dataDir: join(file, 'pglite') })).rejects.toThrow(/not-a-directory/);
  });
});
