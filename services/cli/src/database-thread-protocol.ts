// What `all`'s main thread and its database thread say to each other (database-thread.ts on
// the main side, commands/database-thread.ts in the thread): the start data and the messages.
import type { MessagePort } from 'node:worker_threads';
import type { MetricsSnapshot } from '@switchyard/observability';

export type DatabaseThreadData = {
  /** The loadConfig overrides of the main thread (`all`'s embedded Redis URL, its admin key). */
  overrides: Record<string, unknown>;
  /** On embedded PGlite: the end the thread serves the database on, for the api's queries. */
  clientPort?: MessagePort;
};

export type ToDatabaseThread =
  | { type: 'metrics'; id: number }
  /** Stop what puts jobs on the queues (the batch driver, the alert evaluators). */
  | { type: 'stop-producers' }
  /** Drain the ledger and webhook deliveries, close the database, exit. */
  | { type: 'stop' };

export type FromDatabaseThread =
  /** Migrated; the database is served and the ledger, webhooks, batch driver and alerts run. */
  { type: 'ready' } | { type: 'log'; line: string } | { type: 'metrics'; id: number; metrics: MetricsSnapshot } | { type: 'producers-stopped' };
