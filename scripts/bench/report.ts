import { describeGoal, formatMetric, judge, type Verdict } from './compare.ts';
import type { Machine } from './machine.ts';
import type { Measurement, ScenarioResult, Timing } from './run-scenario.ts';

export type BenchReport = {
  generatedAt: string;
  command: string;
  machine: Machine;
  /** Which Redis the run used (a private server or a shared one). */
  redis: string;
  timing: Timing;
  scenarios: Array<ScenarioResult & { verdicts: Verdict[] }>;
};

export function buildReport(input: { command: string; machine: Machine; redis: string; timing: Timing; results: ScenarioResult[] }): BenchReport {
  return {
    generatedAt: new Date().toISOString(),
    command: input.command,
    machine: input.machine,
    redis: input.redis,
    timing: input.timing,
    scenarios: input.results.map((result) => {
      const { switchyard, passthrough } = pair(result);
      return { ...result, verdicts: switchyard && passthrough ? judge(result.scenario.goals, switchyard, passthrough) : [] };
    }),
  };
}

function pair(result: ScenarioResult): { switchyard?: Measurement; passthrough?: Measurement } {
  return {
    switchyard: result.measurements.find((measurement) => measurement.target === 'switchyard'),
    passthrough: result.measurements.find((measurement) => measurement.target === 'passthrough'),
  };
}

const milliseconds = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(2));
const mark = (met: boolean) => (met ? 'met' : 'MISSED');

/** The readable table for the terminal. */
export function renderTable(report: BenchReport): string {
  const header = ['target', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'TTFT p50', 'tokens/s', 'CPU ms/req', 'cores', 'helper cores', 'other cores', 'failed'];
  const lines: string[] = [];
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
      measurement.tokensPerSecond === undefined ? 'n/a' : measurement.tokensPerSecond.toFixed(0),
      `${milliseconds(measurement.cpuMsPerRequest)} (${Object.entries(measurement.cpuMsPerRequestByProcess)
        .map(([role, value]) => `${role} ${milliseconds(value)}`)
        .join(', ')})`,
      measurement.coresUsed.toFixed(2),
      Object.values(measurement.helperCoresUsed)
        .map((value) => value.toFixed(2))
        .join(' + '),
      measurement.otherCoresUsed.toFixed(2),
      String(measurement.failed),
    ]);
    lines.push(...alignColumns([header, ...rows]).map((line) => `  ${line}`));
    for (const measurement of entry.measurements) {
      for (const failure of measurement.failures) lines.push(`  ${measurement.target} failure: ${failure}`);
    }
    for (const verdict of entry.verdicts)
      lines.push(`  => ${formatMetric(verdict.goal.metric, verdict.value)} (target ${describeGoal(verdict.goal)}): ${mark(verdict.met)}`);
  }
  lines.push('', 'helper cores: load generator + mock upstream; other cores: every other process on the machine (above ~0.2 the round was disturbed).');
  return lines.join('\n');
}

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, column) => (column === 0 || column === 7 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '),
  );
}

/** The snippet the README carries: figures, the command, the machine. */
export function renderMarkdown(report: BenchReport): string {
  const { machine, timing } = report;
  const lines = [
    `Measured with \`${report.command}\` (${timing.rounds} alternating round(s) of ${timing.durationMs / 1000} s per target and scenario, after ${timing.warmupMs / 1000} s of warm-up) on ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}, Redis ${machine.redis}, ${report.generatedAt.slice(0, 10)}. Load generator (the bench process), mock upstream (its own process), pass-through and Switchyard (one \`api\` + one \`worker\` process, ${report.redis}) share the machine.`,
    '',
    '| scenario | pass-through | Switchyard | Switchyard vs pass-through | target |',
    '|---|---|---|---|---|',
  ];
  for (const entry of report.scenarios) {
    const { switchyard, passthrough } = pair(entry);
    if (entry.skipped || !switchyard || !passthrough) {
      lines.push(`| ${entry.scenario.title} | | | not measured: ${entry.skipped ?? 'no figures'} | ${entry.scenario.goals.map(describeGoal).join(', ')} |`);
      continue;
    }
    const figures = entry.verdicts.map((verdict) => `${formatMetric(verdict.goal.metric, verdict.value)} ${verdict.met ? '✅' : '❌'}`).join(', ');
    lines.push(`| ${entry.scenario.title} | ${cell(passthrough)} | ${cell(switchyard)} | ${figures} | ${entry.scenario.goals.map(describeGoal).join(', ')} |`);
  }
  const disturbed = report.scenarios.flatMap((entry) => entry.measurements).some((measurement) => measurement.otherCoresUsed > 0.2);
  if (disturbed) lines.push('', 'Other processes used more than 0.2 cores during some rounds of this run: its figures are pessimistic.');
  lines.push(
    '',
    'CPU time per request (user + system, from /proc over the measured window):',
    '',
    '| scenario | pass-through | Switchyard (api + worker + redis-server) |',
    '|---|---|---|',
  );
  for (const entry of report.scenarios) {
    const { switchyard, passthrough } = pair(entry);
    if (!switchyard || !passthrough) continue;
    const parts = Object.entries(switchyard.cpuMsPerRequestByProcess)
      .map(([role, value]) => `${role} ${milliseconds(value)}`)
      .join(' + ');
    lines.push(`| ${entry.scenario.title} | ${milliseconds(passthrough.cpuMsPerRequest)} ms | ${milliseconds(switchyard.cpuMsPerRequest)} ms (${parts}) |`);
  }
  return lines.join('\n');
}

function cell(measurement: Measurement): string {
  const parts = [
    `${measurement.throughput.toFixed(0)} req/s`,
    `p50 ${milliseconds(measurement.latencyMs.p50)} ms`,
    `p99 ${milliseconds(measurement.latencyMs.p99)} ms`,
  ];
  if (measurement.firstTokenMs) parts.push(`TTFT p50 ${milliseconds(measurement.firstTokenMs.p50)} ms`);
  if (measurement.tokensPerSecond !== undefined) parts.push(`${measurement.tokensPerSecond.toFixed(0)} tokens/s`);
  return parts.join(', ');
}
