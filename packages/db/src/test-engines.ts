import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@switchyard/testing';
import { createDb, type DbHandle } from './create-db.ts';
import { migrateToLatest } from './migrate.ts';

/** Both engines the gateway runs on, each fresh and migrated: tests run against each. */
export const engines = [
  {
    kind: 'postgres',
    async open(): Promise<DbHandle & { cleanup(): Promise<void> }> {
      const database = await createTestDatabase();
      const handle = await createDb({ url: database.url });
      await migrateToLatest(handle.db);
      return {
        ...handle,
        cleanup: async () => {
          await handle.close();
          await database.drop();
        },
      };
    },
  },
  {
    kind: 'pglite',
    async open(): Promise<DbHandle & { cleanup(): Promise<void> }> {
      const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-pglite-'));
      const handle = await createDb({ dataDir });
      await migrateToLatest(handle.db);
      return {
        ...handle,
        cleanup: async () => {
          await handle.close();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
] as const;
