import type { Measurement } from './run-scenario.ts';
import type { Goal, Metric } from './scenarios.ts';

export type Verdict = { goal: Goal; value: number; met: boolean };

/** Switchyard's figure against the pass-through's, for one metric. */
export function metricValue(metric: Metric, switchyard: Measurement, passthrough: Measurement): number {
  switch (metric) {
    case 'addedP50Ms':
      return switchyard.latencyMs.p50 - passthrough.latencyMs.p50;
    case 'throughputRatio':
      return switchyard.throughput / passthrough.throughput;
    case 'addedFirstTokenP50Ms':
      return (switchyard.firstTokenMs?.p50 ?? Number.NaN) - (passthrough.firstTokenMs?.p50 ?? Number.NaN);
    case 'tokensPerSecondRatio':
      return (switchyard.tokensPerSecond ?? Number.NaN) / (passthrough.tokensPerSecond ?? Number.NaN);
  }
}

export function judge(goals: Goal[], switchyard: Measurement, passthrough: Measurement): Verdict[] {
  return goals.map((goal) => {
    const value = metricValue(goal.metric, switchyard, passthrough);
    const met = (goal.max === undefined || value <= goal.max) && (goal.min === undefined || value >= goal.min);
    return { goal, value, met };
  });
}

export function describeGoal(goal: Goal): string {
  const labels: Record<Metric, [string, string]> = {
    addedP50Ms: ['added p50', 'ms'],
    throughputRatio: ['throughput', 'x'],
    addedFirstTokenP50Ms: ['added p50 TTFT', 'ms'],
    tokensPerSecondRatio: ['tokens/s relayed', 'x'],
  };
  const [label, unit] = labels[goal.metric];
  return goal.max !== undefined ? `${label} <= ${goal.max} ${unit}` : `${label} >= ${goal.min} ${unit}`;
}

export function formatMetric(metric: Metric, value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  return metric === 'throughputRatio' || metric === 'tokensPerSecondRatio' ? `${value.toFixed(2)}x` : `${value >= 0 ? '+' : ''}${value.toFixed(2)} ms`;
}
