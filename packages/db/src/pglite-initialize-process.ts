// Run by openPglite in its own process: creating the database once and exiting hands
// initdb's memory back to the OS.
import { PGlite } from '@electric-sql/pglite';
import { pgliteOptions } from './pglite-database.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: pglite-initialize-process.ts <dataDir>');
const client = await PGlite.create(dataDir, pgliteOptions());
await client.close();
