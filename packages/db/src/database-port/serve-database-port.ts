import type { MessagePort } from 'node:worker_threads';
import { CompiledQuery, type Kysely } from 'kysely';
import { postgresErrorFields, type DatabaseErrorData, type FromDatabase, type ToDatabase } from './protocol.ts';

type Lease<DB> = { connection: Kysely<DB>; release(): void };

export type ServedDatabasePort = {
  /** Leases still held by the client (a transaction in progress, or a query). */
  leases(): number;
  /** Stops answering; every lease the client still holds is rolled back and released. */
  close(): Promise<void>;
};

/**
 * Serves `db` to a client on the other end of `port` (port-dialect.ts): each lease the
 * client acquires holds one connection of `db` until the client releases it, so the
 * client's transactions are whole, and on embedded PGlite (one connection) they queue
 * behind this thread's own transactions instead of interleaving with them.
 */
export function serveDatabasePort<DB>(db: Kysely<DB>, port: MessagePort): ServedDatabasePort {
  const leases = new Map<number, Lease<DB>>();
  const send = (message: FromDatabase) => port.postMessage(message);
  let open = true;

  const acquire = (lease: number) => {
    void db
      .connection()
      .execute(
        (connection) =>
          new Promise<void>((release) => {
            if (!open) return release();
            leases.set(lease, { connection, release });
            send({ type: 'acquired', lease });
          }),
      )
      .catch((error: unknown) => send({ type: 'acquire-failed', lease, error: errorData(error) }));
  };

  const query = (message: Extract<ToDatabase, { type: 'query' }>) => {
    const lease = leases.get(message.lease);
    if (!lease) return send({ type: 'failed', id: message.id, error: errorData(new Error(`no connection is leased as ${message.lease}`)) });
    lease.connection.executeQuery(CompiledQuery.raw(message.sql, [...message.parameters])).then(
      (result) => send({ type: 'result', id: message.id, rows: result.rows as unknown[], numAffectedRows: result.numAffectedRows }),
      (error: unknown) => send({ type: 'failed', id: message.id, error: errorData(error) }),
    );
  };

  port.on('message', (message: ToDatabase) => {
    if (!open) return;
    if (message.type === 'acquire') acquire(message.lease);
    else if (message.type === 'query') query(message);
    else {
      leases.get(message.lease)?.release();
      leases.delete(message.lease);
    }
  });

  return {
    leases: () => leases.size,
    async close() {
      open = false;
      port.close();
      // A client gone mid-transaction must not leave the connection inside it for the next user.
      const held = [...leases.values()];
      leases.clear();
      await Promise.all(
        held.map((lease) =>
          lease.connection
            .executeQuery(CompiledQuery.raw('rollback'))
            .catch(() => undefined)
            .finally(lease.release),
        ),
      );
    },
  };
}

function errorData(error: unknown): DatabaseErrorData {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const field of postgresErrorFields) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string' || typeof value === 'number') fields[field] = value;
  }
  return { name: error.name, message: error.message, fields };
}
