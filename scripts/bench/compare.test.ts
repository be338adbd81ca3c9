import { describe, expect, it } from 'vitest';
import { formatMetric, judge } from './compare.ts';
import type { Measurement } from './run-scenario.ts';
import { distribution } from './statistics.ts';

function measurement(target: Measurement['target'], latencies: number[], throughput: number): Measurement {
  return {
    target,
    requests: 100,
    failed: 0,
    failures: [],
    seconds: 1,
    throughput,
    latencyMs: distribution(latencies),
    cpuMsPerRequest: 1,
    cpuMsPerRequestByProcess: {},
    coresUsed: 0.1,
    helperCoresUsed: {},
    otherCoresUsed: 0,
  };
}

describe('judge', () => {
  const passthrough = measurement('passthrough', [1, 1, 1], 1000);
  const switchyard = measurement('switchyard', [1.5, 1.5, 1.5], 600);

  it('compares switchyard against the pass-through', () => {
    const [added, ratio] = judge(
      [
        { metric: 'addedP50Ms', max: 1 },
        { metric: 'throughputRatio', min: 0.9 },
      ],
      switchyard,
      passthrough,
    );
    expect(added).toMatchObject({ value: 0.5, met: true });
    expect(ratio).toMatchObject({ value: 0.6, met: false });
  });

  it('formats ratios and added milliseconds', () => {
    expect(formatMetric('throughputRatio', 0.6)).toBe('0.60x');
    expect(formatMetric('addedP50Ms', 0.5)).toBe('+0.50 ms');
    expect(formatMetric('addedFirstTokenP50Ms', Number.NaN)).toBe('n/a');
  });
});
