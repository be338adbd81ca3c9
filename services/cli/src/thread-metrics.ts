// Asking a thread of `switchyard all` for its registry's metrics: the main thread merges
// them into the one /metrics the api serves. A thread that does not answer in time (it is
// restarting, or busy past the scrape's patience) is left out of that scrape.
import type { MessagePort, Worker } from 'node:worker_threads';
import type { MetricsSnapshot } from '@switchyard/observability';

type MetricsSource = { getMetricsAsJSON(): Promise<MetricsSnapshot> };

export type MetricsRequests = {
  ask(worker: Worker, timeoutMs: number): Promise<MetricsSnapshot | undefined>;
  /** The thread's answer to request `id`. */
  answer(id: number, metrics: MetricsSnapshot): void;
};

export function createMetricsRequests(): MetricsRequests {
  const pending = new Map<number, (metrics: MetricsSnapshot | undefined) => void>();
  let nextId = 0;
  return {
    ask: (worker, timeoutMs) =>
      new Promise((resolve) => {
        const id = nextId++;
        const timer = setTimeout(() => settle(undefined), timeoutMs);
        const settle = (metrics: MetricsSnapshot | undefined) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(metrics);
        };
        pending.set(id, settle);
        worker.postMessage({ type: 'metrics', id });
      }),
    answer: (id, metrics) => pending.get(id)?.(metrics),
  };
}

/** In a thread: answers the main thread's request `id` with its registry's metrics, once the thread has started. */
export function answerMetricsRequest(port: MessagePort, started: Promise<{ registry: MetricsSource }>, id: number): void {
  void started.then(async ({ registry }) => port.postMessage({ type: 'metrics', id, metrics: await registry.getMetricsAsJSON() }));
}
