import type { SwitchyardConfig } from '@switchyard/config';
import { openDatabase } from '../database.ts';
import { acquireEmbeddedDatabase, describeHolder, type EmbeddedDatabaseHolder } from '../embedded-database-lock.ts';
import { createHttpAdmin } from './admin-http-client.ts';
import type { AdminOperations } from './admin-operations.ts';
import { createDirectAdmin } from './direct-admin.ts';

export type AdminTarget = { operations: AdminOperations; runningInstance?: EmbeddedDatabaseHolder };

/**
 * Where admin commands go: a shared Postgres directly; the embedded database directly when
 * no one holds it (held for the command's duration); else the admin API of the `all` that
 * holds it, because a second process on PGlite writes into a copy nobody reads.
 */
export async function openAdminTarget(config: SwitchyardConfig, command: string): Promise<AdminTarget> {
  if (config.database.url) {
    const database = await openDatabase(config, { command, allowEmbedded: false });
    return { operations: createDirectAdmin(config, database, { close: () => database.close() }) };
  }
  const dataDir = config.database.dataDir;
  const lock = acquireEmbeddedDatabase(dataDir, command);
  if ('heldBy' in lock) return { operations: runningInstanceAdmin(config, dataDir, lock.heldBy), runningInstance: lock.heldBy };
  try {
    const database = await openDatabase(config, { command, allowEmbedded: true });
    return {
      operations: createDirectAdmin(config, database, {
        close: async () => {
          await database.close();
          lock.release();
        },
      }),
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

function runningInstanceAdmin(config: SwitchyardConfig, dataDir: string, holder: EmbeddedDatabaseHolder): AdminOperations {
  const inUse = describeHolder(dataDir, holder);
  if (holder.command !== 'all') throw new Error(`${inUse}; try again when it has finished`);
  if (!holder.adminUrl) throw new Error(`${inUse}, which is still starting; try again in a moment`);
  const adminKey = holder.adminToken ?? config.adminKey;
  if (!adminKey) {
    throw new Error(
      `${inUse}, which runs with its own SWITCHYARD_ADMIN_KEY: set the same SWITCHYARD_ADMIN_KEY for this command, or set DATABASE_URL to a shared Postgres`,
    );
  }
  return createHttpAdmin({ url: holder.adminUrl, adminKey });
}
