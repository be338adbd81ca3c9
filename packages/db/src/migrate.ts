import { Migrator, type Kysely } from 'kysely';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

/**
 * Brings the schema up to date. Safe to call from every process at start: Kysely holds
 * an advisory lock while migrating and skips steps that already ran.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  const message = error instanceof Error ? error.message : String(error);
  throw new Error(`database migration ${failed ? `"${failed}" ` : ''}failed: ${message}`, { cause: error });
}
