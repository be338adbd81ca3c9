// What `all`'s main thread and its worker threads say to each other (worker-thread-pool.ts
// on the main side, commands/worker-thread.ts in the thread): the start data and the messages.
import type { MetricsSnapshot } from '@switchyard/observability';

export type WorkerThreadData = {
  /** `worker-1`, `worker-2`, ...: in every log line of the thread and in its metrics. */
  thread: string;
  /** How many times this thread has been started (1 first, 2 after its first restart, ...). */
  start: number;
  /** The loadConfig overrides of the main thread (`all`'s embedded Redis URL, its admin key). */
  overrides: Record<string, unknown>;
};

export type ToThread = { type: 'stop' } | { type: 'metrics'; id: number };

export type FromThread =
  /** Its workers consume their queues. */
  | { type: 'ready' }
  /** One log line, whole, for the main thread to write (one writer on stdout). */
  | { type: 'log'; line: string }
  | { type: 'metrics'; id: number; metrics: MetricsSnapshot };
