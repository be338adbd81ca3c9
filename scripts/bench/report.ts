import { cpuAboveFloorByProcess, describeGoal, figuresOf, formatMetric, judge, referenceOf, type Verdict } from './compare.ts';
import type { Machine } from './machine.ts';
import type { Measurement, ScenarioResult, Timing } from './run-scenario.ts';
import { targetNames, type TargetName } from './targets.ts';

export type BenchReport = {
  generatedAt: string;
  command: string;
  machine: Machine;
  /** Which Redis the run used (a private server or a shared one). */
  redis: string;
  timing: Timing;
  /** Targets that could not start (Portkey, say), and why. */
  unavailableTargets: Partial<Record<TargetName, string>>;
  scenarios: Array<ScenarioResult & { verdicts: Verdict[] }>;
};

export function buildReport(input: {
  command: string;
  machine: Machine;
  redis: string;
  timing: Timing;
  results: ScenarioResult[];
  unavailableTargets?: Partial<Record<TargetName, string>>;
}): BenchReport {
  return {
    generatedAt: new Date().toISOString(),
    command: input.command,
    machine: input.machine,
    redis: input.redis,
    timing: input.timing,
    unavailableTargets: input.unavailableTargets ?? {},
    scenarios: input.results.map((result) => ({ ...result, verdicts: judge(result.scenario.goals, figuresOf(result.measurements)) })),
  };
}

export const targetLabels: Record<TargetName, string> = {
  passthrough: 'pass-through',
  floor: 'floor (bare BullMQ)',
  portkey: 'Portkey',
  'switchyard-all': 'Switchyard all',
  'switchyard-split': 'Switchyard split',
};

const milliseconds = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(2));
const mark = (met: boolean | undefined) => (met === undefined ? 'n/a' : met ? 'met' : 'MISSED');
const emoji = (met: boolean | undefined) => (met === undefined ? '➖' : met ? '✅' : '❌');

function describeVerdict(verdict: Verdict, report: BenchReport, entry: ScenarioResult): string {
  const reference = referenceOf(verdict.goal.metric);
  const missing =
    reference && verdict.met === undefined
      ? ` (no ${targetLabels[reference]} figure: ${entry.skippedTargets[reference] ?? report.unavailableTargets[reference] ?? 'not selected'})`
      : '';
  return `${formatMetric(verdict.goal.metric, verdict.value)}${missing}`;
}

/** The readable table for the terminal. */
export function renderTable(report: BenchReport): string {
  const header = [
    'target',
    'req/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'TTFT p50',
    'TTFT p99',
    'tokens/s',
    'CPU ms/req',
    'cores',
    'helper cores',
    'other cores',
    'failed',
  ];
  const lines: string[] = [];
  for (const [name, reason] of Object.entries(report.unavailableTargets)) lines.push(`${name} not measured: ${reason}`);
  for (const entry of report.scenarios) {
    lines.push('', `${entry.scenario.id}: ${entry.scenario.title}`);
    if (entry.skipped) {
      lines.push(`  skipped: ${entry.skipped}`);
      continue;
    }
    const rows = entry.measurements.map((measurement) => [
      measurement.target,
      measurement.throughput.toFixed(0),
      milliseconds(measurement.latencyMs.p50),
      milliseconds(measurement.latencyMs.p90),
      milliseconds(measurement.latencyMs.p99),
      milliseconds(measurement.firstTokenMs?.p50),
      milliseconds(measurement.firstTokenMs?.p99),
      measurement.tokensPerSecond === undefined ? 'n/a' : measurement.tokensPerSecond.toFixed(0),
      `${milliseconds(measurement.cpuMsPerRequest)} (${byProcess(measurement.cpuMsPerRequestByProcess, ', ')})`,
      measurement.coresUsed.toFixed(2),
      Object.values(measurement.helperCoresUsed)
        .map((value) => value.toFixed(2))
        .join(' + '),
      measurement.otherCoresUsed.toFixed(2),
      String(measurement.failed),
    ]);
    lines.push(...alignColumns([header, ...rows]).map((line) => `  ${line}`));
    for (const measurement of entry.measurements) {
      if (measurement.completedShare !== undefined)
        lines.push(
          `  ${measurement.target}: ${measurement.requests}/${entry.scenario.concurrency} whole, RSS ${measurement.memory?.beforeMb.toFixed(0)} -> peak ${measurement.memory?.peakMb.toFixed(0)} MB = ${measurement.rssKbPerRequest?.toFixed(1)} KB per stream`,
        );
      if (measurement.cpuMsPerRequestByThread)
        lines.push(`  ${measurement.target} CPU ms/req by thread: ${byProcess(measurement.cpuMsPerRequestByThread, ', ')}`);
      for (const failure of measurement.failures) lines.push(`  ${measurement.target} failure: ${failure}`);
    }
    for (const [name, reason] of Object.entries(entry.skippedTargets)) if (reason !== 'does not apply') lines.push(`  ${name} skipped: ${reason}`);
    for (const verdict of entry.verdicts)
      lines.push(`  => ${verdict.subject}: ${describeVerdict(verdict, report, entry)} (target ${describeGoal(verdict.goal)}): ${mark(verdict.met)}`);
  }
  lines.push(
    '',
    'floor: jobs/s of a bare BullMQ request/reply loop (no HTTP). helper cores: load generator + mock upstream; other cores: every other process on the machine (above ~0.2 the round was disturbed).',
  );
  return lines.join('\n');
}

/** Threads that used at least 0.005 ms per request, busiest first (the signal handler and timers' threads idle). */
function busyThreads(threads: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(threads)
      .filter(([, value]) => value >= 0.005)
      .sort(([, a], [, b]) => b - a),
  );
}

function byProcess(values: Record<string, number>, separator: string): string {
  return Object.entries(values)
    .map(([role, value]) => `${role} ${milliseconds(value)}`)
    .join(separator);
}

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, column) => (column === 0 || column === 8 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '),
  );
}

/** The snippet the README carries: figures, the command, the machine. */
export function renderMarkdown(report: BenchReport): string {
  const { machine, timing } = report;
  const lines = [
    `Measured with \`${report.command}\` (${timing.rounds} alternating round(s) of ${timing.durationMs / 1000} s per target and scenario, after ${timing.warmupMs / 1000} s of warm-up; the 2,000-stream burst once per target) on ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}, Redis ${machine.redis}, ${report.generatedAt.slice(0, 10)}. Load generator (the bench process), mock upstream, pass-through, the floor (a bare BullMQ producer + no-op worker, no HTTP), Portkey's gateway, Switchyard \`all\` (one process, embedded PGlite) and Switchyard split (one \`api\`, one \`worker\` and one \`ledger\` process on Postgres, whose own CPU is not counted) share the machine and ${report.redis}. Ratios are against the pass-through.`,
    '',
    `| scenario | ${targetNames.map((name) => targetLabels[name]).join(' | ')} |`,
    `|---|${targetNames.map(() => '---|').join('')}`,
  ];
  for (const entry of report.scenarios) {
    if (entry.skipped) {
      lines.push(
        `| ${entry.scenario.title} | not measured: ${entry.skipped} |${targetNames
          .slice(1)
          .map(() => ' |')
          .join('')}`,
      );
      continue;
    }
    const figures = figuresOf(entry.measurements);
    const cells = targetNames.map((name) => {
      const measurement = figures[name];
      if (measurement) return cell(measurement, figures.passthrough, entry);
      const reason = entry.skippedTargets[name] ?? report.unavailableTargets[name];
      return reason === 'does not apply' || !reason ? '' : `not measured: ${reason}`;
    });
    lines.push(`| ${entry.scenario.title} | ${cells.join(' | ')} |`);
  }
  for (const [name, reason] of Object.entries(report.unavailableTargets)) lines.push('', `${targetLabels[name as TargetName]} was not measured: ${reason}`);
  const disturbed = report.scenarios.flatMap((entry) => entry.measurements).some((measurement) => measurement.otherCoresUsed > 0.2);
  if (disturbed) lines.push('', 'Other processes used more than 0.2 cores during some rounds of this run: its figures are pessimistic.');

  lines.push('', 'Targets (issue 15):', '', '| scenario | target | Switchyard all | Switchyard split |', '|---|---|---|---|');
  for (const entry of report.scenarios) {
    for (const goal of entry.scenario.goals) {
      const verdictFor = (subject: Verdict['subject']) => {
        if (!goal.subjects.includes(subject)) return '';
        const verdict = entry.verdicts.find((candidate) => candidate.goal === goal && candidate.subject === subject);
        return verdict ? `${describeVerdict(verdict, report, entry)} ${emoji(verdict.met)}` : 'not measured';
      };
      lines.push(`| ${entry.scenario.id} | ${describeGoal(goal)} | ${verdictFor('switchyard-all')} | ${verdictFor('switchyard-split')} |`);
    }
  }

  lines.push(
    ...perTargetTable(report, 'CPU time per request (user + system, every thread, from /proc over the measured window; the floor per job):', (measurement) => {
      const parts = Object.keys(measurement.cpuMsPerRequestByProcess).length > 1 ? ` (${byProcess(measurement.cpuMsPerRequestByProcess, ' + ')})` : '';
      return `${milliseconds(measurement.cpuMsPerRequest)} ms${parts}`;
    }),
  );
  lines.push(
    ...perTargetTable(
      report,
      'System calls per request, reads / writes (the read and write families, every thread, from /proc/<pid>/io over the measured window; socket traffic goes through them; the floor per job):',
      ({ readCallsPerRequestByProcess: reads, writeCallsPerRequestByProcess: writes }) => {
        if (!reads || !writes) return '';
        const sum = (values: Record<string, number>) => Object.values(values).reduce((total, value) => total + value, 0);
        const roles = Object.keys(writes);
        const parts = roles.length > 1 ? ` (${roles.map((role) => `${role} ${calls(reads[role]!)} / ${calls(writes[role]!)}`).join(', ')})` : '';
        return `${calls(sum(reads))} / ${calls(sum(writes))}${parts}`;
      },
    ),
  );

  const threaded = report.scenarios.filter((entry) => figuresOf(entry.measurements)['switchyard-all']?.cpuMsPerRequestByThread);
  if (threaded.length > 0) {
    lines.push(
      '',
      "CPU per request of `all`'s one process by thread (from /proc/<pid>/task; worker threads by their name):",
      '',
      '| scenario | threads |',
      '|---|---|',
    );
    for (const entry of threaded) {
      const threads = figuresOf(entry.measurements)['switchyard-all']!.cpuMsPerRequestByThread!;
      lines.push(`| ${entry.scenario.title} | ${byProcess(busyThreads(threads), ', ')} |`);
    }
  }

  const withFloor = report.scenarios.filter((entry) => figuresOf(entry.measurements).floor);
  if (withFloor.length > 0) {
    lines.push(
      '',
      'CPU per request above the floor, by process (each Switchyard process less the floor process doing its part: api - producer, worker - worker, all - (producer + worker), redis-server - redis-server):',
      '',
      '| scenario | Switchyard all | Switchyard split |',
      '|---|---|---|',
    );
    for (const entry of withFloor) {
      const figures = figuresOf(entry.measurements);
      const above = (name: 'switchyard-all' | 'switchyard-split') => {
        const measurement = figures[name];
        if (!measurement || !figures.floor) return '';
        const { total, ...roles } = cpuAboveFloorByProcess(measurement, figures.floor);
        return `${signed(total!)} ms (${Object.entries(roles)
          .map(([role, value]) => `${role} ${signed(value)}`)
          .join(', ')})`;
      };
      lines.push(`| ${entry.scenario.title} | ${above('switchyard-all')} | ${above('switchyard-split')} |`);
    }
  }
  return lines.join('\n');
}

/** A caption and a table of one figure per scenario (rows) and target (columns); '' where a target has none. */
function perTargetTable(report: BenchReport, caption: string, cell: (measurement: Measurement) => string): string[] {
  const lines = [
    '',
    caption,
    '',
    `| scenario | ${targetNames.map((name) => targetLabels[name]).join(' | ')} |`,
    `|---|${targetNames.map(() => '---|').join('')}`,
  ];
  for (const entry of report.scenarios) {
    if (entry.skipped) continue;
    const figures = figuresOf(entry.measurements);
    const cells = targetNames.map((name) => {
      const measurement = figures[name];
      return measurement ? cell(measurement) : '';
    });
    lines.push(`| ${entry.scenario.title} | ${cells.join(' | ')} |`);
  }
  return lines;
}

const calls = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(1));

const signed = (value: number) => (Number.isNaN(value) ? 'n/a' : `${value >= 0 ? '+' : ''}${value.toFixed(3)}`);

function cell(measurement: Measurement, passthrough: Measurement | undefined, entry: ScenarioResult): string {
  const floorUnit = measurement.target === 'floor' ? 'jobs/s' : 'req/s';
  const times = (value: number | undefined, reference: number | undefined) =>
    measurement.target === 'passthrough' || value === undefined || !reference ? '' : ` (${(value / reference).toFixed(2)}x)`;
  const parts: string[] = [];
  if (entry.scenario.burst) {
    parts.push(`${measurement.requests}/${entry.scenario.concurrency} complete`);
  } else {
    parts.push(`${measurement.throughput.toFixed(0)} ${floorUnit}${times(measurement.throughput, passthrough?.throughput)}`);
    parts.push(`p50 ${milliseconds(measurement.latencyMs.p50)} ms`, `p99 ${milliseconds(measurement.latencyMs.p99)} ms`);
  }
  if (measurement.firstTokenMs) parts.push(`TTFT p50 ${milliseconds(measurement.firstTokenMs.p50)} / p99 ${milliseconds(measurement.firstTokenMs.p99)} ms`);
  if (measurement.tokensPerSecond !== undefined)
    parts.push(`${measurement.tokensPerSecond.toFixed(0)} tokens/s${times(measurement.tokensPerSecond, passthrough?.tokensPerSecond)}`);
  if (measurement.rssKbPerRequest !== undefined) parts.push(`${measurement.rssKbPerRequest.toFixed(1)} KB RSS per stream`);
  return parts.join(', ');
}
