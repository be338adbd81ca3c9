// pnpm bench:profile-summary <dir or .cpuprofile files> [--requests N]: self time of the
// profiles `BENCH_PROFILE=api,worker,all pnpm bench` wrote, by stage (profile-stages.ts),
// one table per process kind (the file name before its timestamp: api, worker, all).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { groupSelfTime, mergeTotals, stageRows, type CpuProfile, type StageTotals } from './profile-stages.ts';

function profileFiles(paths: string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith('.cpuprofile'))
          .map((name) => join(path, name))
      : [path],
  );
}

const kindOf = (file: string) => basename(file, '.cpuprofile').replace(/-\d+(\.\d+)*$/, '');

function render(title: string, totals: StageTotals, requests: number | undefined): string {
  const busyMs = totals.totalMs - totals.idleMs;
  const table = (heading: string, values: Record<string, number>) => {
    const all = stageRows(values, busyMs, requests);
    // The long tail (under 0.5 % each) in one line.
    const rows = all.filter((row) => !(row.share < 0.005));
    const tail = all.filter((row) => row.share < 0.005);
    if (tail.length > 0) {
      const ms = tail.reduce((sum, row) => sum + row.ms, 0);
      rows.push({ stage: `(${tail.length} more, under 0.5 % each)`, ms, share: ms / busyMs, ...(requests ? { msPerRequest: ms / requests } : {}) });
    }
    const lines = rows.map(
      (row) =>
        `  ${row.stage.padEnd(44)} ${row.ms.toFixed(0).padStart(8)} ms ${Number.isNaN(row.share) ? '       ' : `${(row.share * 100).toFixed(1).padStart(5)} %`}${row.msPerRequest === undefined ? '' : ` ${row.msPerRequest.toFixed(4).padStart(9)} ms/req`}`,
    );
    return [`  ${heading}`, ...lines].join('\n');
  };
  return [
    `${title}: ${busyMs.toFixed(0)} ms busy, ${totals.idleMs.toFixed(0)} ms idle${requests ? `, ${(busyMs / requests).toFixed(4)} ms busy per request over ${requests} requests` : ''} (shares are of the busy time)`,
    table('by package', totals.byPackage),
    table("Switchyard's own code, by package or directory", totals.bySwitchyardDir),
  ].join('\n');
}

const usage = 'usage: pnpm bench:profile-summary <dir or .cpuprofile files> [--requests N]';

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { requests: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (positionals.length === 0) throw new Error(usage);
  const requests = values.requests === undefined ? undefined : Number(values.requests);
  if (requests !== undefined && !(Number.isInteger(requests) && requests > 0))
    throw new Error(`--requests wants a whole number above 0, got "${values.requests}"`);
  const files = profileFiles(positionals);
  if (files.length === 0) throw new Error(`no .cpuprofile file in ${positionals.join(', ')}`);
  const byKind = new Map<string, StageTotals[]>();
  for (const file of files) {
    const totals = groupSelfTime(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    byKind.set(kindOf(file), [...(byKind.get(kindOf(file)) ?? []), totals]);
  }
  const sections = [...byKind].map(([kind, parts]) => render(`${kind} (${parts.length} profile${parts.length > 1 ? 's' : ''})`, mergeTotals(parts), requests));
  process.stdout.write(`${sections.join('\n\n')}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  // A wrong argument is a message, not a stack trace.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
