import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { renderMergedMetrics } from './merge-metrics.ts';
import { createProcessRegistry } from './process-registry.ts';

/** A registry as a worker thread of `all` makes it, with one job counted `jobs` times. */
function threadRegistry(thread: string, jobs: number) {
  const registry = createProcessRegistry({ processMetrics: false, labels: { thread } });
  const counter = new Counter({ name: 'switchyard_jobs_total', help: 'jobs', labelNames: ['provider'], registers: [registry] });
  counter.inc({ provider: 'mock' }, jobs);
  return registry;
}

describe('renderMergedMetrics', () => {
  it("keeps each thread's series apart by its label, and the process metrics once, from the main registry", async () => {
    const main = createProcessRegistry();
    const text = await renderMergedMetrics([
      await main.getMetricsAsJSON(),
      await threadRegistry('worker-1', 3).getMetricsAsJSON(),
      await threadRegistry('worker-2', 4).getMetricsAsJSON(),
    ]);
    expect(text).toContain('switchyard_jobs_total{provider="mock",thread="worker-1"} 3');
    expect(text).toContain('switchyard_jobs_total{provider="mock",thread="worker-2"} 4');
    expect(text.match(/^# TYPE switchyard_jobs_total counter$/gm)).toHaveLength(1);
    expect(text.match(/^switchyard_process_resident_memory_bytes /gm)).toHaveLength(1);
  });

  it('sums series with the same name and labels', async () => {
    const text = await renderMergedMetrics([await threadRegistry('worker-1', 2).getMetricsAsJSON(), await threadRegistry('worker-1', 5).getMetricsAsJSON()]);
    expect(text).toContain('switchyard_jobs_total{provider="mock",thread="worker-1"} 7');
  });

  it('a thread registry has no process metrics', async () => {
    const names = (await threadRegistry('worker-1', 1).getMetricsAsJSON()).map((metric) => metric.name);
    expect(names).toEqual(['switchyard_jobs_total']);
  });
});
