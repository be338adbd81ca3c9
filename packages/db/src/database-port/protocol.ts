// What a database client and the thread that owns the database say over a MessagePort
// (port-dialect.ts on the client side, serve-database-port.ts on the owner's). A client
// leases a connection, runs its queries on that lease, and releases it: a transaction is
// the queries between its lease's `begin` and `commit`, so leases never interleave.

export type ToDatabase =
  | { type: 'acquire'; lease: number }
  | { type: 'query'; lease: number; id: number; sql: string; parameters: readonly unknown[] }
  | { type: 'release'; lease: number };

/** A database error as data: its message and the Postgres fields (`code`, `constraint`, ...). */
export type DatabaseErrorData = { name: string; message: string; fields: Record<string, string | number> };

export type FromDatabase =
  | { type: 'acquired'; lease: number }
  | { type: 'acquire-failed'; lease: number; error: DatabaseErrorData }
  | { type: 'result'; id: number; rows: unknown[]; numAffectedRows?: bigint }
  | { type: 'failed'; id: number; error: DatabaseErrorData };

/** The fields of a Postgres error (pg's and PGlite's DatabaseError) a caller may read. */
export const postgresErrorFields = [
  'code',
  'severity',
  'detail',
  'hint',
  'position',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'routine',
] as const;
