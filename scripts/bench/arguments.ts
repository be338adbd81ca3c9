import { parseArgs } from 'node:util';
import type { Timing } from './run-scenario.ts';
import { selectTargets, type TargetName } from './targets.ts';

export type BenchOptions = { quick: boolean; timing: Timing; only: string[] | undefined; targets: TargetName[]; output: string };

export const benchUsage = `pnpm bench [--quick] [--only <scenario,...>] [--targets <target,...>] [--rounds N] [--warmup-ms N] [--duration-ms N] [--output <file.json>]

  --quick        smoke run: 1 round of 2 s per target and scenario
  --only         scenario ids: c1-instant, c32-instant, c64-50ms, stream-c1, stream-c64, streams-2000-slow, c32-cache-hit
  --targets      passthrough, floor, portkey, switchyard-all, switchyard-split (default: all of them)
  --rounds       measured rounds per target, alternating the order (default 3)
  --duration-ms  measured window of one round (default 5000)
  --warmup-ms    unmeasured lead-in of one round (default 1500)
  BENCH_PROFILE=api,worker,all  runs those processes under --cpu-prof (scripts/bench/results/profiles)
  BENCH_ALL_ARGS="--worker-threads 2"  adds flags to \`switchyard all\``;

export function parseBenchArguments(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      targets: { type: 'string' },
      rounds: { type: 'string' },
      'warmup-ms': { type: 'string' },
      'duration-ms': { type: 'string' },
      output: { type: 'string', default: 'scripts/bench/results/latest.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const defaults: Timing = values.quick ? { rounds: 1, warmupMs: 500, durationMs: 2000 } : { rounds: 3, warmupMs: 1500, durationMs: 5000 };
  return {
    quick: values.quick,
    timing: {
      rounds: count(values.rounds, 'rounds') ?? defaults.rounds,
      warmupMs: count(values['warmup-ms'], 'warmup-ms', true) ?? defaults.warmupMs,
      durationMs: count(values['duration-ms'], 'duration-ms') ?? defaults.durationMs,
    },
    only: values.only
      ?.split(',')
      .map((id) => id.trim())
      .filter(Boolean),
    targets: selectTargets(
      values.targets
        ?.split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
    output: values.output,
  };
}

function count(text: string | undefined, name: string, zeroAllowed = false): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1))
    throw new Error(`--${name} wants a whole number${zeroAllowed ? '' : ' above 0'}, got "${text}"`);
  return value;
}
