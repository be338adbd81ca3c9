import { describe, expect, it } from 'vitest';
import { renderScaleMarkdown, scaleBound, tierCosts, type ScaleMeasurement } from './scale-report.ts';

const measurement = (workers: number, throughput: number, coresByProcess: Record<string, number>, otherCores = 0): ScaleMeasurement => ({
  workers,
  requests: throughput * 10,
  failed: 0,
  failures: [],
  seconds: 10,
  throughput,
  p50Ms: 60,
  p99Ms: 90,
  coresByProcess,
  otherCores,
});
const setting = { cores: 2, concurrency: 256, upstreamLatencyMs: 50 };

describe('scaleBound', () => {
  it('names the upstream latency when the closed loop reaches concurrency / latency', () => {
    const bound = scaleBound(measurement(1, 5000, { api: 0.5 }), setting);
    expect(bound.latencyCeiling).toBe(5120);
    expect(bound.verdict).toMatch(/^the upstream latency/);
  });

  it('names the machine when its cores are busy, counting other work', () => {
    const bound = scaleBound(measurement(2, 1200, { api: 0.4, 'worker-1': 0.3, 'worker-2': 0.3 }, 0.9), setting);
    expect(bound.machineCoresBusy).toBeCloseTo(1.9);
    expect(bound.cpuMsPerRequest).toBeCloseTo(1000 / 1200);
    expect(bound.verdict).toMatch(
      /^the machine's CPU: 1\.90 of 2 cores busy \(ours 1\.00, other work 0\.90\); at 0\.83 CPU ms per request the 2 cores alone would carry ~2400 req\/s/,
    );
  });

  it('names one process whose JavaScript thread is full while cores are spare', () => {
    const bound = scaleBound(measurement(1, 2000, { api: 0.3, 'worker-1': 0.95 }), { ...setting, cores: 8 });
    expect(bound.busiest).toEqual({ process: 'worker-1', cores: 0.95 });
    expect(bound.verdict).toMatch(/^worker-1: 0\.95 cores/);
  });

  it('says nothing saturated otherwise', () => {
    expect(scaleBound(measurement(1, 1000, { api: 0.2 }), { ...setting, cores: 8 }).verdict).toMatch(/^nothing saturated/);
  });
});

describe('tierCosts', () => {
  it('sums the workers into one tier and leaves out the load generator and the upstream', () => {
    const costs = tierCosts(measurement(2, 2000, { api: 0.3, 'worker-1': 0.25, 'worker-2': 0.25, 'redis-server': 0.2, 'load-generator': 0.1, upstream: 0.1 }));
    expect(costs.map((cost) => [cost.tier, Number(cost.cpuMsPerRequest.toFixed(3)), Math.round(cost.requestsPerCore)])).toEqual([
      ['api', 0.15, 6667],
      ['workers', 0.25, 4000],
      ['redis-server', 0.1, 10000],
    ]);
  });
});

describe('renderScaleMarkdown', () => {
  it('puts each worker count against the one-worker baseline, gateway processes first', () => {
    const measurements = [
      measurement(1, 1000, { upstream: 0.1, 'worker-1': 0.4, api: 0.3 }),
      measurement(2, 1500, { 'worker-2': 0.3, api: 0.4, 'worker-1': 0.3 }),
    ];
    const text = renderScaleMarkdown({
      command: 'pnpm bench:scale',
      machine: '2 cores',
      load: 'load average 1',
      concurrency: 256,
      upstreamLatencyMs: 50,
      measurements,
      bounds: measurements.map((entry) => scaleBound(entry, { ...setting, cores: 8 })),
      memory: { jobs: 1000, requestBytes: 100, bytesPerThousandJobs: 1_500_000, usedMemoryBefore: 1_000_000, usedMemoryAfter: 2_500_000 },
    });
    expect(text).toContain(
      '| workers | req/s | vs 1 worker | p50 / p99 ms | failed | api cores | worker-1 cores | worker-2 cores | upstream cores | other cores | CPU ms / request | bound by |',
    );
    expect(text).toMatch(/\| 2 \| 1500 \| 1\.50x \| 60\.0 \/ 90\.0 \| 0 \| 0\.40 \| 0\.30 \| 0\.30 \| - \| 0\.00 \| 0\.67 \|/);
    expect(text).toContain('CPU per request with 2 worker(s): api 0.267 ms (3750 req/s per core), workers 0.400 ms (2500 req/s per core).');
    expect(text).toContain('Redis memory per 1,000 queued jobs: 1.50 MB');
  });
});
