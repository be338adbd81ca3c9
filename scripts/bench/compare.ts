import type { Measurement } from './run-scenario.ts';
import type { Goal, Metric, SwitchyardTarget } from './scenarios.ts';
import type { TargetName } from './targets.ts';

/** One goal judged for one subject; `met` is undefined when a figure it needs was not measured. */
export type Verdict = { goal: Goal; subject: SwitchyardTarget; value: number; met: boolean | undefined };

/** A scenario's measurements by target. */
export type Figures = Partial<Record<TargetName, Measurement>>;

export function figuresOf(measurements: Measurement[]): Figures {
  return Object.fromEntries(measurements.map((measurement) => [measurement.target, measurement]));
}

const ratio = (value: number | undefined, reference: number | undefined) => (value ?? Number.NaN) / (reference ?? Number.NaN);
const difference = (value: number | undefined, reference: number | undefined) => (value ?? Number.NaN) - (reference ?? Number.NaN);

/** The subject's figure for one metric: against the pass-through, the floor, Portkey or split, or its own. */
export function metricValue(metric: Metric, subject: Measurement, figures: Figures): number {
  const { passthrough, floor, portkey } = figures;
  switch (metric) {
    case 'addedP50Ms':
      return difference(subject.latencyMs.p50, passthrough?.latencyMs.p50);
    case 'throughputRatio':
      return ratio(subject.throughput, passthrough?.throughput);
    case 'throughputRatioToPortkey':
      return ratio(subject.throughput, portkey?.throughput);
    case 'throughputRatioToSplit':
      return ratio(subject.throughput, figures['switchyard-split']?.throughput);
    case 'addedFirstTokenP50Ms':
      return difference(subject.firstTokenMs?.p50, passthrough?.firstTokenMs?.p50);
    case 'addedFirstTokenP99Ms':
      return difference(subject.firstTokenMs?.p99, passthrough?.firstTokenMs?.p99);
    case 'tokensPerSecondRatio':
      return ratio(subject.tokensPerSecond, passthrough?.tokensPerSecond);
    case 'cpuMsPerRequest':
      return subject.cpuMsPerRequest;
    case 'cpuAboveFloorMs':
      return difference(subject.cpuMsPerRequest, floor?.cpuMsPerRequest);
    case 'completedShare':
      return subject.completedShare ?? Number.NaN;
    case 'rssKbPerStream':
      return subject.rssKbPerRequest ?? Number.NaN;
    case 'rssAfterMb':
      // The Switchyard processes only: redis-server's memory is the data's, not the gateway's.
      return Object.entries(subject.rssAfterMbByProcess)
        .filter(([role]) => role !== 'redis-server')
        .reduce((sum, [, value]) => sum + value, 0);
  }
}

/** Every goal for each of its subjects that was measured. */
export function judge(goals: Goal[], figures: Figures): Verdict[] {
  return goals.flatMap((goal) =>
    goal.subjects.flatMap((subject) => {
      const measurement = figures[subject];
      if (!measurement) return [];
      const value = metricValue(goal.metric, measurement, figures);
      const met = Number.isNaN(value) ? undefined : (goal.max === undefined || value <= goal.max) && (goal.min === undefined || value >= goal.min);
      return [{ goal, subject, value, met }];
    }),
  );
}

const labels: Record<Metric, [string, string]> = {
  addedP50Ms: ['added p50', 'ms'],
  throughputRatio: ['throughput', 'x'],
  throughputRatioToPortkey: ['throughput vs Portkey', 'x'],
  throughputRatioToSplit: ['throughput vs split', 'x'],
  addedFirstTokenP50Ms: ['added p50 TTFT', 'ms'],
  addedFirstTokenP99Ms: ['added p99 TTFT', 'ms'],
  tokensPerSecondRatio: ['tokens/s relayed', 'x'],
  cpuMsPerRequest: ['CPU/req', 'ms'],
  cpuAboveFloorMs: ['CPU/req above the floor', 'ms'],
  completedShare: ['completed', ''],
  rssKbPerStream: ['RSS per stream', 'KB'],
  rssAfterMb: ['RSS after', 'MB'],
};

export function describeGoal(goal: Goal): string {
  if (goal.metric === 'completedShare') return `completed >= ${((goal.min ?? 0) * 100).toFixed(0)}%`;
  const [label, unit] = labels[goal.metric];
  const suffix = unit === 'x' ? 'x' : ` ${unit}`;
  return goal.max !== undefined ? `${label} <= ${goal.max}${suffix}` : `${label} >= ${goal.min}${suffix}`;
}

const ratioMetrics: Metric[] = ['throughputRatio', 'throughputRatioToPortkey', 'throughputRatioToSplit', 'tokensPerSecondRatio', 'completedShare'];
const addedMetrics: Metric[] = ['addedP50Ms', 'addedFirstTokenP50Ms', 'addedFirstTokenP99Ms', 'cpuAboveFloorMs'];

export function formatMetric(metric: Metric, value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (metric === 'completedShare') return `${(value * 100).toFixed(value === 1 ? 0 : 2)}%`;
  if (ratioMetrics.includes(metric)) return `${value.toFixed(2)}x`;
  const [, unit] = labels[metric];
  const digits = unit === 'ms' ? 2 : 0;
  return `${addedMetrics.includes(metric) && value >= 0 ? '+' : ''}${value.toFixed(digits)} ${unit}`;
}

/** Where `metric` is relative, the target it is measured against (for "n/a: no Portkey figure"). */
export function referenceOf(metric: Metric): TargetName | undefined {
  if (metric === 'throughputRatioToPortkey') return 'portkey';
  if (metric === 'throughputRatioToSplit') return 'switchyard-split';
  if (metric === 'cpuAboveFloorMs') return 'floor';
  if (metric === 'cpuMsPerRequest' || metric === 'completedShare' || metric === 'rssKbPerStream' || metric === 'rssAfterMb') return undefined;
  return 'passthrough';
}

/**
 * CPU ms per request the subject spends above the floor, by process: each Switchyard role less
 * the floor role that does its part (api <-> producer, worker <-> worker, redis-server <->
 * redis-server; `all` does both producer's and worker's), and the total.
 */
export function cpuAboveFloorByProcess(subject: Measurement, floor: Measurement): Record<string, number> {
  const floorRole = (role: string) => floor.cpuMsPerRequestByProcess[role] ?? 0;
  const counterpart: Record<string, () => number> = {
    api: () => floorRole('producer'),
    worker: () => floorRole('worker'),
    'redis-server': () => floorRole('redis-server'),
    // The floor keeps no ledger: all of the ledger's work is above it.
    ledger: () => 0,
  };
  const above: Record<string, number> = {};
  for (const [role, value] of Object.entries(subject.cpuMsPerRequestByProcess)) {
    above[role] = value - (counterpart[role]?.() ?? floorRole('producer') + floorRole('worker'));
  }
  above.total = subject.cpuMsPerRequest - floor.cpuMsPerRequest;
  return above;
}
