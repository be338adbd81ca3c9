// `pnpm bench:ledger-batch`: the CPU one ledger transaction costs on the embedded database,
// where `switchyard all` pays it on its database thread. Writes batches of sync requests'
// entries (usage record + finished job) straight through writeLedgerBatch into a fresh PGlite
// database, under `all`'s V8 flags (package.json), and reports CPU per request.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LedgerEntry } from '@switchyard/core';
import { createDb, migrateToLatest } from '@switchyard/db';
import { writeLedgerBatch } from '@switchyard/ledger';
import { entriesFor } from './ledger-ingest.ts';

const usage = 'pnpm bench:ledger-batch [--batches N] [--requests-per-batch N] [--runs N]';

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`--${name} must be a positive integer, not "${value}"\n${usage}`);
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { batches: { type: 'string' }, 'requests-per-batch': { type: 'string' }, runs: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) return void console.log(usage);
  const batches = positive(values.batches, 150, 'batches');
  const perBatch = positive(values['requests-per-batch'], 100, 'requests-per-batch');
  const runs = positive(values.runs, 3, 'runs');
  const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-ledger-batch-'));
  const handle = await createDb({ dataDir });
  try {
    await migrateToLatest(handle.db);
    let next = 0;
    const batch = (): LedgerEntry[] => Array.from({ length: perBatch }, () => entriesFor(next++, Date.now())).flat();
    for (let warmup = 0; warmup < 5; warmup++) await writeLedgerBatch(handle.db, batch());
    console.log(
      `embedded PGlite, ${perBatch} sync requests per transaction, ${batches} transactions per run, Node ${process.version} ${process.execArgv.join(' ')}`,
    );
    for (let run = 1; run <= runs; run++) {
      const cpuBefore = process.cpuUsage();
      const startedAt = performance.now();
      for (let index = 0; index < batches; index++) await writeLedgerBatch(handle.db, batch());
      const cpu = process.cpuUsage(cpuBefore);
      const wallMs = performance.now() - startedAt;
      const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / (batches * perBatch);
      console.log(`run ${run}: ${(wallMs / batches).toFixed(2)} ms per transaction, ${cpuMsPerRequest.toFixed(3)} ms of CPU per request`);
    }
  } finally {
    await handle.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:ledger-batch: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
