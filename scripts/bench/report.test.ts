import { describe, expect, it } from 'vitest';
import { buildReport, renderMarkdown, renderTable } from './report.ts';
import type { Measurement } from './run-scenario.ts';
import { scenarios } from './scenarios.ts';
import { distribution } from './statistics.ts';

function measurement(target: Measurement['target'], throughput: number, cpu: Record<string, number>): Measurement {
  const cpuMsPerRequest = Object.values(cpu).reduce((sum, value) => sum + value, 0);
  return {
    target,
    requests: throughput * 5,
    failed: 0,
    failures: [],
    seconds: 5,
    throughput,
    latencyMs: distribution([1, 2, 3]),
    cpuMsPerRequest,
    cpuMsPerRequestByProcess: cpu,
    coresUsed: 0.5,
    helperCoresUsed: { 'load-generator': 0.2, upstream: 0.1 },
    otherCoresUsed: 0.05,
    rssAfterMbByProcess: {},
  };
}

const c32 = scenarios.find((scenario) => scenario.id === 'c32-instant')!;
const machine = { cores: 2, cpuModel: 'test CPU', memoryGb: 4, node: 'v24', redis: '7.0' };

function report() {
  return buildReport({
    command: 'pnpm bench --quick',
    machine,
    redis: 'a private redis-server',
    timing: { rounds: 1, warmupMs: 500, durationMs: 2000 },
    unavailableTargets: { portkey: 'could not start: port in use' },
    results: [
      {
        scenario: c32,
        skippedTargets: {},
        measurements: [
          measurement('passthrough', 2000, { proxy: 0.25 }),
          measurement('floor', 3000, { producer: 0.1, worker: 0.1, 'redis-server': 0.1 }),
          measurement('switchyard-all', 1000, { all: 0.3, 'redis-server': 0.1 }),
          {
            ...measurement('switchyard-split', 800, { api: 0.2, worker: 0.2, 'redis-server': 0.15 }),
            readCallsPerRequestByProcess: { api: 1.5, worker: 1.75, 'redis-server': 1.25 },
            writeCallsPerRequestByProcess: { api: 1.25, worker: 2.5, 'redis-server': 1.75 },
          },
        ],
      },
    ],
  });
}

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(report());

  it('reads every scenario as pass-through / floor / Portkey / all / split, with ratios against the pass-through', () => {
    expect(markdown).toContain('| scenario | pass-through | floor (bare BullMQ) | Portkey | Switchyard all | Switchyard split |');
    const row = markdown.split('\n').find((line) => line.startsWith('| concurrency 32, instant upstream | 2000 req/s'))!;
    expect(row).toContain('3000 jobs/s (1.50x)');
    expect(row).toContain('1000 req/s (0.50x)');
    expect(row).toContain('800 req/s (0.40x)');
    expect(row).toContain('not measured: could not start: port in use');
  });

  it('judges the goals per subject, n/a with the reason when a reference is missing', () => {
    expect(markdown).toContain('| c32-instant | throughput >= 0.35x | 0.50x ✅ | 0.40x ✅ |');
    expect(markdown).toContain('| c32-instant | throughput vs split >= 1x | 1.25x ✅ |  |');
    expect(markdown).toContain('| c32-instant | throughput vs Portkey >= 1x | n/a (no Portkey figure: could not start: port in use) ➖ |');
    expect(markdown).toContain('| c32-instant | CPU/req <= 0.45 ms | 0.40 ms ✅ | 0.55 ms ❌ |');
  });

  it('shows CPU per request above the floor, by process', () => {
    expect(markdown).toContain(
      '| concurrency 32, instant upstream | +0.100 ms (all +0.100, redis-server +0.000) | +0.250 ms (api +0.100, worker +0.100, redis-server +0.050) |',
    );
  });

  it('shows system calls per request, reads / writes, by process, and leaves out results that did not count them', () => {
    const row = markdown
      .split('\n')
      .filter((line) => line.startsWith('| concurrency 32, instant upstream |'))
      .find((line) => line.includes(' / '))!;
    expect(row).toBe('| concurrency 32, instant upstream |  |  |  |  | 4.5 / 5.5 (api 1.5 / 1.3, worker 1.8 / 2.5, redis-server 1.3 / 1.8) |');
  });
});

describe('renderTable', () => {
  it('lists every measured target and each verdict', () => {
    const table = renderTable(report());
    expect(table).toContain('portkey not measured: could not start: port in use');
    expect(table).toMatch(/floor\s+3000/);
    expect(table).toContain('=> switchyard-split: 0.55 ms (target CPU/req <= 0.45 ms): MISSED');
  });
});
