import type { Worker } from 'bullmq';
import type { Logger } from '@switchyard/logger';
import type { InferenceQueues } from '@switchyard/queue';
import { planWorkerChanges, type WorkerSettings } from './worker-changes.ts';

/** The BullMQ Workers of one process, one per provider, brought in line with each reloaded config. */
export type WorkerSet = {
  providers(): string[];
  /** Starts, resizes, replaces and closes Workers so the set matches `wanted`; a Worker closed here finishes its jobs first. */
  apply(wanted: ReadonlyMap<string, WorkerSettings>): Promise<void>;
  /** Every Worker, closing ones included: a cancel must reach whichever one holds the job. */
  all(): Worker[];
  close(): Promise<void>;
};

export function createWorkerSet(options: {
  queues: InferenceQueues;
  logger: Logger;
  /** Makes one provider's Worker (ready once `waitUntilReady` settles). */
  create: (provider: string, settings: WorkerSettings) => Worker;
}): WorkerSet {
  const running = new Map<string, { worker: Worker; settings: WorkerSettings }>();
  const closing = new Set<Worker>();

  const retire = (worker: Worker) => {
    closing.add(worker);
    return worker.close().finally(() => closing.delete(worker));
  };
  const applyCeiling = async (provider: string, settings: WorkerSettings) => {
    const queue = options.queues.get(provider);
    // Provider limits live on the queue, so they hold across any number of worker processes.
    if (settings.maxConcurrency) await queue.setGlobalConcurrency(settings.maxConcurrency);
    else await queue.removeGlobalConcurrency();
  };
  const start = async (provider: string, settings: WorkerSettings) => {
    if (settings.maxConcurrency) await applyCeiling(provider, settings);
    const worker = options.create(provider, settings);
    await worker.waitUntilReady();
    running.set(provider, { worker, settings });
  };

  return {
    providers: () => [...running.keys()],
    async apply(wanted) {
      const changes = planWorkerChanges(new Map([...running].map(([name, entry]) => [name, entry.settings])), wanted);
      for (const name of changes.start) await start(name, wanted.get(name)!);
      for (const name of changes.ceiling) await applyCeiling(name, wanted.get(name)!);
      for (const name of changes.resize) {
        const entry = running.get(name)!;
        entry.worker.concurrency = wanted.get(name)!.concurrency;
        entry.settings = wanted.get(name)!;
      }
      const retiring: Promise<void>[] = [];
      for (const name of changes.replace) {
        const old = running.get(name)!.worker;
        await start(name, wanted.get(name)!);
        retiring.push(retire(old));
      }
      for (const name of changes.stop) {
        retiring.push(retire(running.get(name)!.worker));
        running.delete(name);
      }
      const moved = Object.entries(changes).filter(([, names]) => names.length > 0);
      if (moved.length > 0) options.logger.info(Object.fromEntries(moved), 'workers follow the reloaded config');
      await Promise.all(retiring);
    },
    all: () => [...[...running.values()].map((entry) => entry.worker), ...closing],
    async close() {
      await Promise.all([...[...running.values()].map((entry) => entry.worker.close()), ...[...closing].map((worker) => worker.close())]);
      running.clear();
    },
  };
}
