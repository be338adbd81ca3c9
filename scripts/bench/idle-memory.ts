// Idle resident memory of each Switchyard process kind, each started alone on this
// machine: `node scripts/bench/idle-memory.ts [--idle-ms N]`, and the last part of `pnpm bench`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, deletePrefix, freePort, uniquePrefix } from '@switchyard/testing';
import { startBenchRedis } from './bench-redis.ts';
import { spawnChild, stopAllChildren, waitForHealth, type ChildService } from './child-process.ts';
import { cpuMilliseconds } from './cpu-time.ts';
import { processMemory } from './proc-status.ts';

export type IdleMemory = { kind: string; command: string; database: string; rssMb: number; peakRssMb: number };

type Start = { kind: string; args: string[]; database: 'embedded' | 'postgres'; http: boolean };

// Started as an operator starts them, so node flags the script adds (embedded `all`) count.
const switchyardScript = fileURLToPath(new URL('../switchyard', import.meta.url));

// `all` twice on one data directory: the first start creates the embedded database.
const starts: Start[] = [
  { kind: 'all (first start)', args: ['all'], database: 'embedded', http: true },
  { kind: 'all (restart)', args: ['all'], database: 'embedded', http: true },
  { kind: 'all', args: ['all'], database: 'postgres', http: true },
  { kind: 'api', args: ['api'], database: 'postgres', http: true },
  { kind: 'worker', args: ['worker', '--provider', 'mock'], database: 'postgres', http: false },
  { kind: 'ledger', args: ['ledger'], database: 'postgres', http: false },
];

/**
 * Starts each process kind in turn, waits until it is ready (answers /health, or has stopped
 * using CPU), lets it idle for `idleMs`, then reads VmRSS and VmHWM from /proc.
 */
export async function measureIdleMemory(options: { redisUrl: string; idleMs: number; log(line: string): void }): Promise<IdleMemory[]> {
  const prefix = uniquePrefix('bench-memory');
  const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-idle-memory-'));
  const database = await createTestDatabase();
  const results: IdleMemory[] = [];
  try {
    for (const start of starts) {
      const port = await freePort();
      const env: Record<string, string> = { REDIS_URL: options.redisUrl, SWITCHYARD_REDIS_PREFIX: prefix, PORT: String(port), LOG_LEVEL: 'warn' };
      if (start.database === 'embedded') env.SWITCHYARD_DATA_DIR = join(dataDir, 'pglite');
      else env.DATABASE_URL = database.url;
      const child = spawnChild(start.kind, switchyardScript, start.args, env);
      try {
        if (start.http) await waitForHealth(`http://127.0.0.1:${port}/health`, child, 60_000);
        await waitUntilQuiet(child);
        await sleep(options.idleMs);
        const memory = processMemory(child.pid);
        const command = `switchyard ${start.args.join(' ')}`;
        results.push({ kind: start.kind, command, database: start.database === 'embedded' ? 'embedded PGlite' : 'DATABASE_URL', ...memory });
        options.log(`  ${start.kind}: ${memory.rssMb.toFixed(0)} MB idle, ${memory.peakRssMb.toFixed(0)} MB peak`);
      } finally {
        await child.stop();
      }
    }
  } finally {
    await database.drop();
    await deletePrefix(options.redisUrl, prefix);
    await rm(dataDir, { recursive: true, force: true });
  }
  return results;
}

export function renderIdleMemoryTable(rows: IdleMemory[]): string {
  const header = ['process', 'database', 'idle RSS MB', 'peak RSS MB'];
  const cells = rows.map((row) => [row.kind, row.database, row.rssMb.toFixed(0), row.peakRssMb.toFixed(0)]);
  const widths = header.map((_, column) => Math.max(...[header, ...cells].map((row) => row[column]!.length)));
  return [header, ...cells]
    .map((row) => `  ${row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`)
    .join('\n');
}

export function renderIdleMemoryMarkdown(rows: IdleMemory[], idleMs: number): string {
  return [
    `Resident memory (VmRSS) of each process ${idleMs / 1000} s after it is ready and idle, each started alone; peak is VmHWM:`,
    '',
    '| process | command | database | idle RSS | peak RSS |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.kind} | \`${row.command}\` | ${row.database} | ${row.rssMb.toFixed(0)} MB | ${row.peakRssMb.toFixed(0)} MB |`),
  ].join('\n');
}

/** Issue 15: `all` on the embedded database, as a new user starts it, idles in at most this much. */
export const idleAllTargetMb = 300;

export function renderIdleMemoryGoal(rows: IdleMemory[]): string {
  const first = rows.find((row) => row.kind === 'all (first start)');
  if (!first) return 'RSS of `all` idle: not measured.';
  const met = first.rssMb <= idleAllTargetMb;
  return `RSS of \`all\` idle (first start, embedded PGlite): ${first.rssMb.toFixed(0)} MB (target <= ${idleAllTargetMb} MB): ${met ? 'met ✅' : 'MISSED ❌'}`;
}

// Worker and ledger announce nothing: ready is when start-up work (imports, connections,
// migrations) stops using CPU, under 20 ms in each of two half-second windows.
async function waitUntilQuiet(child: ChildService, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietWindows = 0;
  let before = cpuMilliseconds(child.pid);
  while (quietWindows < 2) {
    if (Date.now() > deadline) throw new Error(`${child.name} kept using CPU for ${timeoutMs} ms:\n${child.output()}`);
    await sleep(500);
    if (child.child.exitCode !== null) throw new Error(`${child.name} exited early:\n${child.output()}`);
    const now = cpuMilliseconds(child.pid);
    quietWindows = now - before < 20 ? quietWindows + 1 : 0;
    before = now;
  }
}

async function runAlone(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { 'idle-ms': { type: 'string', default: '10000' } } });
  const idleMs = Number(values['idle-ms']);
  if (!Number.isInteger(idleMs) || idleMs < 0) throw new Error(`--idle-ms wants a whole number, got "${values['idle-ms']}"`);
  try {
    const redis = await startBenchRedis();
    process.stderr.write(`idle memory: each process kind alone, ${idleMs / 1000} s idle\n`);
    const rows = await measureIdleMemory({ redisUrl: redis.url, idleMs, log: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(`${renderIdleMemoryTable(rows)}\n\n${renderIdleMemoryMarkdown(rows, idleMs)}\n`);
  } finally {
    await stopAllChildren();
  }
}

if (import.meta.main) {
  runAlone(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`idle memory failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
