import { describe, expect, it } from 'vitest';
import { cpuAboveFloorByProcess, describeGoal, figuresOf, formatMetric, judge } from './compare.ts';
import type { Measurement } from './run-scenario.ts';
import { distribution } from './statistics.ts';

function measurement(target: Measurement['target'], latencies: number[], throughput: number, extra: Partial<Measurement> = {}): Measurement {
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
    rssAfterMbByProcess: {},
    ...extra,
  };
}

describe('judge', () => {
  const passthrough = measurement('passthrough', [1, 1, 1], 1000);
  const all = measurement('switchyard-all', [1.5, 1.5, 1.5], 600);
  const split = measurement('switchyard-split', [2, 2, 2], 500);

  it('compares each subject against the pass-through', () => {
    const verdicts = judge(
      [
        { metric: 'addedP50Ms', subjects: ['switchyard-all', 'switchyard-split'], max: 1 },
        { metric: 'throughputRatio', subjects: ['switchyard-all'], min: 0.9 },
      ],
      figuresOf([passthrough, all, split]),
    );
    expect(verdicts.map(({ subject, value, met }) => ({ subject, value, met }))).toEqual([
      { subject: 'switchyard-all', value: 0.5, met: true },
      { subject: 'switchyard-split', value: 1, met: true },
      { subject: 'switchyard-all', value: 0.6, met: false },
    ]);
  });

  it('compares against split, Portkey and the floor, and says n/a when the reference is missing', () => {
    const floor = measurement('floor', [1], 2000, { cpuMsPerRequest: 0.3 });
    const portkey = measurement('portkey', [1], 400);
    const goals = [
      { metric: 'throughputRatioToSplit' as const, subjects: ['switchyard-all' as const], min: 1 },
      { metric: 'throughputRatioToPortkey' as const, subjects: ['switchyard-all' as const], min: 1 },
      { metric: 'cpuAboveFloorMs' as const, subjects: ['switchyard-all' as const], max: 0.2 },
    ];
    const withAll = judge(goals, figuresOf([passthrough, floor, portkey, all, split]));
    expect(withAll.map((verdict) => [verdict.value, verdict.met])).toEqual([
      [1.2, true],
      [1.5, true],
      [expect.closeTo(0.7, 9), false],
    ]);
    const withoutReferences = judge(goals, figuresOf([passthrough, all]));
    expect(withoutReferences.map((verdict) => verdict.met)).toEqual([undefined, undefined, undefined]);
  });

  it("judges a burst's completion, RSS per stream and the Switchyard processes' RSS", () => {
    const burst = measurement('switchyard-all', [1], 1, {
      completedShare: 0.999,
      rssKbPerRequest: 40,
      rssAfterMbByProcess: { all: 250, 'redis-server': 80 },
    });
    const verdicts = judge(
      [
        { metric: 'completedShare', subjects: ['switchyard-all'], min: 1 },
        { metric: 'rssKbPerStream', subjects: ['switchyard-all'], max: 64 },
        { metric: 'rssAfterMb', subjects: ['switchyard-all'], max: 300 },
      ],
      figuresOf([burst]),
    );
    expect(verdicts.map((verdict) => [verdict.value, verdict.met])).toEqual([
      [0.999, false],
      [40, true],
      [250, true],
    ]);
  });

  it('formats ratios, added milliseconds, shares and sizes', () => {
    expect(formatMetric('throughputRatio', 0.6)).toBe('0.60x');
    expect(formatMetric('addedP50Ms', 0.5)).toBe('+0.50 ms');
    expect(formatMetric('cpuMsPerRequest', 0.5)).toBe('0.50 ms');
    expect(formatMetric('addedFirstTokenP50Ms', Number.NaN)).toBe('n/a');
    expect(formatMetric('completedShare', 0.9995)).toBe('99.95%');
    expect(formatMetric('rssKbPerStream', 41.4)).toBe('41 KB');
    expect(describeGoal({ metric: 'completedShare', subjects: ['switchyard-all'], min: 1 })).toBe('completed >= 100%');
    expect(describeGoal({ metric: 'cpuAboveFloorMs', subjects: ['switchyard-all'], max: 0.2 })).toBe('CPU/req above the floor <= 0.2 ms');
  });
});

describe('cpuAboveFloorByProcess', () => {
  const floor = measurement('floor', [1], 1, { cpuMsPerRequest: 0.6, cpuMsPerRequestByProcess: { producer: 0.1, worker: 0.2, 'redis-server': 0.3 } });

  it('takes each split process less the floor process doing its part', () => {
    const split = measurement('switchyard-split', [1], 1, { cpuMsPerRequest: 1.5, cpuMsPerRequestByProcess: { api: 0.5, worker: 0.6, 'redis-server': 0.4 } });
    const above = cpuAboveFloorByProcess(split, floor);
    expect(above.api).toBeCloseTo(0.4, 9);
    expect(above.worker).toBeCloseTo(0.4, 9);
    expect(above['redis-server']).toBeCloseTo(0.1, 9);
    expect(above.total).toBeCloseTo(0.9, 9);
  });

  it("takes `all`'s one process less the producer and the worker together", () => {
    const all = measurement('switchyard-all', [1], 1, { cpuMsPerRequest: 1.2, cpuMsPerRequestByProcess: { all: 0.8, 'redis-server': 0.4 } });
    const above = cpuAboveFloorByProcess(all, floor);
    expect(above.all).toBeCloseTo(0.5, 9);
    expect(above['redis-server']).toBeCloseTo(0.1, 9);
    expect(above.total).toBeCloseTo(0.6, 9);
  });
});
