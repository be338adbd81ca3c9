import type { MessagePort } from 'node:worker_threads';
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { DatabaseErrorData, FromDatabase, ToDatabase } from './protocol.ts';

import type { Database } from '../schema.ts';

type Pending = { resolve(value: QueryResult<unknown>): void; reject(error: Error): void };

/** The gateway's database, owned by the thread on the other end of `port` (serve-database-port.ts). */
export function databaseOverPort(port: MessagePort): Kysely<Database> {
  return new Kysely<Database>({ dialect: new MessagePortDialect(port) });
}

/**
 * A Kysely dialect for a database another thread owns (serve-database-port.ts): `switchyard
 * all` keeps embedded PGlite, whose queries run synchronously on the thread that calls them,
 * off the api's event loop. Every connection is a lease on the owner's side, so a
 * transaction holds the owner's connection from `begin` to `commit` and nothing interleaves.
 */
export class MessagePortDialect implements Dialect {
  private readonly port: MessagePort;
  constructor(port: MessagePort) {
    this.port = port;
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new MessagePortDriver(this.port);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}

class MessagePortDriver implements Driver {
  private nextLease = 1;
  private nextQuery = 1;
  private readonly acquiring = new Map<number, { resolve(): void; reject(error: Error): void }>();
  private readonly queries = new Map<number, Pending>();
  private closed: Error | undefined;
  private readonly port: MessagePort;

  constructor(port: MessagePort) {
    this.port = port;
    port.on('message', (message: FromDatabase) => this.receive(message));
    // The owner gone (its thread exited): nothing in flight will be answered.
    port.on('close', () => this.fail(new Error('the database thread has stopped')));
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.closed) throw this.closed;
    const lease = this.nextLease++;
    await new Promise<void>((resolve, reject) => {
      this.acquiring.set(lease, { resolve, reject });
      this.send({ type: 'acquire', lease });
    });
    return new PortConnection(lease, (sql, parameters) => this.query(lease, sql, parameters));
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : 'begin';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (!this.closed) this.send({ type: 'release', lease: (connection as PortConnection).lease });
  }

  /** Closes this end only: the database stays open in the thread that owns it. */
  async destroy(): Promise<void> {
    this.fail(new Error('the database client has been destroyed'));
    this.port.close();
  }

  private query(lease: number, sql: string, parameters: readonly unknown[]): Promise<QueryResult<unknown>> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextQuery++;
    return new Promise((resolve, reject) => {
      this.queries.set(id, { resolve, reject });
      this.send({ type: 'query', lease, id, sql, parameters });
    });
  }

  private send(message: ToDatabase): void {
    this.port.postMessage(message);
  }

  private receive(message: FromDatabase): void {
    if (message.type === 'acquired' || message.type === 'acquire-failed') {
      const waiting = this.acquiring.get(message.lease);
      this.acquiring.delete(message.lease);
      if (message.type === 'acquired') waiting?.resolve();
      else waiting?.reject(toError(message.error));
      return;
    }
    const pending = this.queries.get(message.id);
    this.queries.delete(message.id);
    if (message.type === 'result')
      pending?.resolve(message.numAffectedRows === undefined ? { rows: message.rows } : { rows: message.rows, numAffectedRows: message.numAffectedRows });
    else pending?.reject(toError(message.error));
  }

  private fail(error: Error): void {
    this.closed ??= error;
    for (const waiting of this.acquiring.values()) waiting.reject(error);
    for (const pending of this.queries.values()) pending.reject(error);
    this.acquiring.clear();
    this.queries.clear();
  }
}

type Run = (sql: string, parameters: readonly unknown[]) => Promise<QueryResult<unknown>>;

class PortConnection implements DatabaseConnection {
  readonly lease: number;
  private readonly run: Run;
  constructor(lease: number, run: Run) {
    this.lease = lease;
    this.run = run;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.run(compiledQuery.sql, compiledQuery.parameters) as Promise<QueryResult<R>>;
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const result = await this.executeQuery<R>(compiledQuery);
    for (let start = 0; start < result.rows.length; start += chunkSize) yield { rows: result.rows.slice(start, start + chunkSize) };
  }
}

/** The owner's error again, with its Postgres fields, so callers read `code` as from pg. */
function toError(data: DatabaseErrorData): Error {
  const error = Object.assign(new Error(data.message), data.fields);
  error.name = data.name;
  return error;
}
