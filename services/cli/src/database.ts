import { resolve } from 'node:path';
import type { SwitchyardConfig } from '@switchyard/config';
import { createDb, migrateToLatest, type DbHandle } from '@switchyard/db';

/**
 * Postgres from DATABASE_URL; without it, embedded PGlite, which only one process may
 * open, so only the single-process `all` (and admin commands while it is stopped) use it.
 */
export async function openDatabase(config: SwitchyardConfig, options: { command: string; allowEmbedded: boolean }): Promise<DbHandle> {
  if (!config.database.url && !options.allowEmbedded) {
    throw new Error(
      `"switchyard ${options.command}" runs as its own process and needs a shared Postgres: set DATABASE_URL (the embedded database serves only "switchyard all")`,
    );
  }
  const handle = await createDb(config.database.url ? { url: config.database.url } : { dataDir: resolve(config.database.dataDir) });
  await migrateToLatest(handle.db);
  return handle;
}
