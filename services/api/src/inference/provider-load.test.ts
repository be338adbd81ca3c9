import { describe, expect, it } from 'vitest';
import { nextLoad, type ProviderLoad } from './provider-load.ts';

function run(samples: Array<[waitingAll: number, completedTotal: number]>): ProviderLoad {
  let load: ProviderLoad | undefined;
  samples.forEach(([waitingAll, completedTotal], index) => {
    load = nextLoad(load, { waitingSync: waitingAll, waitingAll, completedTotal, workers: 1, sampledAt: index * 500 });
  });
  return load!;
}

describe('nextLoad', () => {
  it('measures capacity from a queue that stayed backlogged', () => {
    const load = run([
      [100, 0],
      [80, 100],
      [60, 200],
      [40, 300],
    ]);
    expect(load.throughputPerSecond).toBe(200);
    expect(load.backloggedSamples).toBe(3);
  });

  it('does not take a cold worker for a slow provider', () => {
    // A burst waits for a worker that is still starting, then the worker ramps up.
    const load = run([
      [900, 0],
      [900, 0],
      [890, 5],
      [700, 200],
      [500, 400],
    ]);
    expect(load.throughputPerSecond).toBe(400);
    expect(load.backloggedSamples).toBe(3);
  });

  it('keeps the estimate while nothing completes', () => {
    const load = run([
      [50, 0],
      [40, 100],
      [40, 100],
      [40, 100],
    ]);
    expect(load.throughputPerSecond).toBe(200);
  });

  it('never lowers the estimate on an idle or draining queue, and stops trusting it', () => {
    const load = run([
      [50, 0],
      [40, 100],
      [0, 110],
      [0, 110],
    ]);
    expect(load.throughputPerSecond).toBe(200);
    expect(load.backloggedSamples).toBe(0);
  });

  it('lets a peak decay slowly when the provider really slowed down', () => {
    const load = run([
      [500, 0],
      [400, 100],
      [390, 110],
      [380, 120],
      [370, 130],
    ]);
    expect(load.throughputPerSecond).toBeCloseTo(200 * 0.9 ** 3, 5);
  });
});
