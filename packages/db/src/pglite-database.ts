import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite, types, type PGliteOptions } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { embeddedStartParams } from './pglite-settings.ts';
import type { Database } from './schema.ts';

const asText = (value: string): string => value;
const initializeScript = fileURLToPath(new URL('./pglite-initialize-process.ts', import.meta.url));
const run = promisify(execFile);

/** The options every open of the embedded database uses (the initializing child's too). */
export function pgliteOptions(): PGliteOptions {
  return {
    startParams: embeddedStartParams(PGlite.defaultStartParams),
    parsers: { [types.NUMERIC]: asText, [types.INT8]: asText, [types.DATE]: asText },
  };
}

/**
 * Opens (creating on first use) the PGlite database in `dataDir`. A fresh one is
 * initialized in a short-lived child process: initdb runs in two extra WASM instances
 * whose several hundred MB would otherwise stay in this process's RSS for good.
 */
export async function openPglite(dataDir: string): Promise<Kysely<Database>> {
  await mkdir(dataDir, { recursive: true });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initializeApart(dataDir);
  const client = await PGlite.create(dataDir, pgliteOptions());
  // Destroying Kysely closes the PGlite instance through the dialect's driver.
  return new Kysely<Database>({ dialect: new PGliteDialect(client) });
}

async function initializeApart(dataDir: string): Promise<void> {
  try {
    await run(process.execPath, ['--disable-warning=ExperimentalWarning', initializeScript, dataDir], { timeout: 120_000 });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`could not initialize the embedded database in ${dataDir}: ${detail}`);
  }
}
