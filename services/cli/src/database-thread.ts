// `switchyard all`'s database thread (commands/database-thread.ts), from the main thread:
// started, its log lines written, asked for its metrics, and stopped in two steps. On
// embedded PGlite the api's database is a Kysely over a MessagePort to it. It is not
// restarted: the database and the api's leases live in it, so its exit stops `all`.
import { MessageChannel, Worker } from 'node:worker_threads';
import { databaseOverPort, type Database, type Kysely } from '@switchyard/db';
import { logDestinationOf, type Logger } from '@switchyard/logger';
import type { MetricsSnapshot } from '@switchyard/observability';
import type { DatabaseThreadData, FromDatabaseThread, ToDatabaseThread } from './database-thread-protocol.ts';
import { createMetricsRequests } from './thread-metrics.ts';
// As the worker threads: a small young generation keeps `all` small idle.
import { threadYoungGenerationMb } from './worker-thread-pool.ts';

const threadEntry = new URL('./commands/database-thread.ts', import.meta.url);

export type DatabaseThread = {
  /** Resolves once the database is open and migrated and the ledger runs; rejects if the thread exits first. */
  ready: Promise<void>;
  /** On embedded PGlite: the api's database, served by the thread. */
  db?: Kysely<Database>;
  /** Resolves with the reason if the thread exits unasked: `all` must stop (non-zero). */
  failed: Promise<string>;
  metrics(timeoutMs?: number): Promise<MetricsSnapshot | undefined>;
  /** The batch driver and alert evaluators stop queueing work. */
  stopProducers(): Promise<void>;
  /** The ledger and webhooks drain, the database closes, the thread exits. */
  stop(): Promise<void>;
};

export function startDatabaseThread(options: { overrides: Record<string, unknown>; logger: Logger; embedded: boolean }): DatabaseThread {
  const { logger } = options;
  const destination = logDestinationOf(logger);
  const metricsRequests = createMetricsRequests();
  const channel = options.embedded ? new MessageChannel() : undefined;
  const data: DatabaseThreadData = { overrides: options.overrides, ...(channel ? { clientPort: channel.port2 } : {}) };
  const worker = new Worker(threadEntry, {
    workerData: data,
    transferList: channel ? [channel.port2] : [],
    name: 'database',
    resourceLimits: { maxYoungGenerationSizeMb: threadYoungGenerationMb },
  });
  let stopping = false;
  let lastError: Error | undefined;
  let onReady!: () => void;
  let onProducersStopped = () => {};
  const readied = new Promise<void>((resolve) => (onReady = resolve));
  worker.on('message', (message: FromDatabaseThread) => {
    if (message.type === 'log') destination.write(message.line);
    else if (message.type === 'ready') onReady();
    else if (message.type === 'producers-stopped') onProducersStopped();
    else metricsRequests.answer(message.id, message.metrics);
  });
  worker.on('error', (error) => (lastError = error));
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const failed = exited.then((code) => {
    if (stopping) return new Promise<string>(() => {});
    const cause = lastError ? `uncaught ${lastError.name}: ${lastError.message}` : `exited with code ${code}`;
    const reason = `the database thread stopped (${cause}); stopping switchyard all`;
    logger.fatal({ thread: 'database', exitCode: code, err: lastError }, reason);
    return reason;
  });
  const ready = Promise.race([readied, failed.then((reason) => Promise.reject(new Error(reason)))]);
  ready.catch(() => {});
  const post = (message: ToDatabaseThread) => worker.postMessage(message);

  return {
    ready,
    failed,
    ...(channel ? { db: databaseOverPort(channel.port1) } : {}),
    metrics: (timeoutMs = 2000) => metricsRequests.ask(worker, timeoutMs),
    stopProducers: () =>
      new Promise<void>((resolve) => {
        onProducersStopped = resolve;
        post({ type: 'stop-producers' });
        void exited.then(() => resolve());
      }),
    async stop() {
      stopping = true;
      post({ type: 'stop' });
      await exited;
      logger.info('database thread stopped');
    },
  };
}
