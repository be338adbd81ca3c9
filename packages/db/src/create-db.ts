import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type DbHandle = { db: Kysely<Database>; kind: 'postgres' | 'pglite'; close(): Promise<void> };

const numericOid = 1700;
const bigintOid = 20;
const dateOid = 1082;
const asText = (value: string): string => value;

/**
 * Postgres when `url` is given, else an embedded PGlite persisted under `dataDir`
 * (single process only: PGlite has one connection, which the dialect serializes).
 * NUMERIC and BIGINT come back as strings and DATE as `YYYY-MM-DD`, on both engines.
 * PGlite is imported only when used: its module and WASM cost nothing for Postgres.
 */
export async function createDb(options: { url?: string; dataDir?: string }): Promise<DbHandle> {
  if (options.url) return createPostgres(options.url);
  if (!options.dataDir) throw new Error('createDb needs a database url or a dataDir for the embedded database');
  return createPglite(options.dataDir);
}

function createPostgres(url: string): DbHandle {
  const parsers: Record<number, (value: string) => unknown> = { [numericOid]: asText, [bigintOid]: asText, [dateOid]: asText };
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => parsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

async function createPglite(dataDir: string): Promise<DbHandle> {
  const { openPglite } = await import('./pglite-database.ts');
  const db = await openPglite(dataDir);
  return { db, kind: 'pglite', close: () => db.destroy() };
}
