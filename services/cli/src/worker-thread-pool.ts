// The worker threads of `switchyard all` (commands/worker-thread.ts), supervised from the
// main thread: started, their log lines written, restarted with a backoff when one crashes
// (thread-crash-policy.ts), asked for their metrics, and stopped (drained) on shutdown.
import { Worker } from 'node:worker_threads';
import { logDestinationOf, type Logger } from '@switchyard/logger';
import type { MetricsSnapshot } from '@switchyard/observability';
import { createMetricsRequests } from './thread-metrics.ts';
import { type CrashPolicy, decideAfterCrash, defaultCrashPolicy } from './thread-crash-policy.ts';
import type { FromThread, ToThread, WorkerThreadData } from './worker-thread-protocol.ts';

const threadEntry = new URL('./commands/worker-thread.ts', import.meta.url);
// A thread's young generation grows to tens of MB by default and keeps it; a worker's jobs
// allocate little, and `all` must stay small idle (docs/all-command.md, memory).
export const threadYoungGenerationMb = 8;

export type WorkerThreadPool = {
  /** Resolves once every thread's workers have consumed their queues; rejects if the pool gives up first. */
  ready: Promise<void>;
  /** Resolves with the reason when a thread crashed too often: `all` must stop (non-zero). */
  failed: Promise<string>;
  /** Each live thread's registry; a thread that does not answer within `timeoutMs` (restarting) is left out. */
  metrics(timeoutMs?: number): Promise<MetricsSnapshot[]>;
  /** Each thread finishes the jobs it holds and exits; no thread is restarted from now on. */
  stop(): Promise<void>;
};

type Slot = {
  name: string;
  starts: number;
  crashes: number[];
  worker?: Worker;
  live: boolean;
  lastError?: Error;
  restartTimer?: NodeJS.Timeout;
  exited?: Promise<void>;
};

export function startWorkerThreadPool(options: { count: number; overrides: Record<string, unknown>; logger: Logger; policy?: CrashPolicy }): WorkerThreadPool {
  const { logger } = options;
  const policy = options.policy ?? defaultCrashPolicy;
  // The main thread's own destination: the threads' lines join its stream whole, one writer.
  const destination = logDestinationOf(logger);
  const metricsRequests = createMetricsRequests();
  let stopping = false;
  let giveUp!: (reason: string) => void;
  const failed = new Promise<string>((resolve) => (giveUp = resolve));
  const readiness: Array<Promise<void>> = [];
  const slots: Slot[] = Array.from({ length: options.count }, (_, index) => ({ name: `worker-${index + 1}`, starts: 0, crashes: [], live: false }));

  const spawn = (slot: Slot, onReady?: () => void) => {
    slot.starts += 1;
    slot.lastError = undefined;
    const data: WorkerThreadData = { thread: slot.name, start: slot.starts, overrides: options.overrides };
    const worker = new Worker(threadEntry, { workerData: data, name: slot.name, resourceLimits: { maxYoungGenerationSizeMb: threadYoungGenerationMb } });
    slot.worker = worker;
    worker.on('message', (message: FromThread) => {
      if (message.type === 'log') destination.write(message.line);
      else if (message.type === 'ready') {
        slot.live = true;
        onReady?.();
      } else metricsRequests.answer(message.id, message.metrics);
    });
    // An uncaught error in the thread: 'error' comes first, then 'exit' (code 1), which acts.
    worker.on('error', (error) => (slot.lastError = error));
    slot.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        slot.worker = undefined;
        slot.live = false;
        if (!stopping) afterCrash(slot, code, onReady);
        resolve();
      }),
    );
  };

  const afterCrash = (slot: Slot, code: number, onReady?: () => void) => {
    const cause = slot.lastError ? `uncaught ${slot.lastError.name}: ${slot.lastError.message}` : `exited with code ${code}`;
    const decision = decideAfterCrash(slot.crashes, Date.now(), policy);
    slot.crashes = decision.recentCrashes;
    const fields = { thread: slot.name, exitCode: code, err: slot.lastError, crashesInWindow: decision.recentCrashes.length, windowMs: policy.windowMs };
    if (decision.action === 'give-up') {
      const reason = `worker thread ${slot.name} crashed ${decision.recentCrashes.length} times in ${policy.windowMs / 1000} s (last: ${cause}); stopping switchyard all`;
      logger.fatal(fields, reason);
      giveUp(reason);
      return;
    }
    logger.error(
      { ...fields, restartInMs: decision.delayMs },
      `worker thread ${slot.name} crashed (${cause}); restarting it in ${decision.delayMs} ms (its held jobs return to their queue when their locks expire)`,
    );
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (!stopping) spawn(slot, onReady);
    }, decision.delayMs);
  };

  for (const slot of slots) readiness.push(new Promise<void>((resolve) => spawn(slot, resolve)));
  const ready = Promise.race([
    Promise.all(readiness).then(() => {
      logger.info({ threads: slots.map((slot) => slot.name) }, `provider workers running on ${slots.length} worker thread${slots.length === 1 ? '' : 's'}`);
    }),
    failed.then((reason) => Promise.reject(new Error(reason))),
  ]);
  // A give-up after start-up is acted on through `failed`; this only keeps the rejection handled.
  ready.catch(() => {});

  return {
    ready,
    failed,
    async metrics(timeoutMs = 2000) {
      const live = slots.flatMap((slot) => (slot.live && slot.worker ? [slot.worker] : []));
      const answers = await Promise.all(live.map((worker) => metricsRequests.ask(worker, timeoutMs)));
      return answers.filter((answer): answer is MetricsSnapshot => answer !== undefined);
    },
    async stop() {
      stopping = true;
      for (const slot of slots) {
        clearTimeout(slot.restartTimer);
        slot.worker?.postMessage({ type: 'stop' } satisfies ToThread);
      }
      await Promise.all(slots.map((slot) => slot.exited));
      logger.info({ threads: slots.length }, 'worker threads stopped');
    },
  };
}
