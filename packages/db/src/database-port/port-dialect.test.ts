import { MessageChannel } from 'node:worker_threads';
import { type Generated, Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { engines } from '../test-engines.ts';
import { MessagePortDialect } from './port-dialect.ts';
import { serveDatabasePort, type ServedDatabasePort } from './serve-database-port.ts';

type Row = { id: number; note: string; amount: Generated<string>; payload: unknown; bytes: Uint8Array | null };
type Schema = { port_test: Row };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// The owner's database on one end of a channel, a client's Kysely on the other, as `all`'s database thread and api have them.
async function openPair(engine: (typeof engines)[number]) {
  const handle = await engine.open();
  const owner = handle.db as unknown as Kysely<Schema>;
  await sql`create table port_test (id int primary key, note text not null, amount numeric not null default 0, payload jsonb, bytes bytea)`.execute(owner);
  const { port1, port2 } = new MessageChannel();
  const served: ServedDatabasePort = serveDatabasePort(owner, port1);
  const client = new Kysely<Schema>({ dialect: new MessagePortDialect(port2) });
  cleanups.push(async () => {
    await client.destroy();
    await served.close();
    await handle.cleanup();
  });
  return { owner, client, served };
}

describe.each(engines)('a database served over a MessagePort ($kind)', (engine) => {
  it('answers queries with the values the engine gives: numeric as text, jsonb, bytea, affected rows', async () => {
    const { client } = await openPair(engine);
    await client
      .insertInto('port_test')
      .values({ id: 1, note: 'one', amount: '1.250000', payload: JSON.stringify({ a: [1, 2] }), bytes: Buffer.from([0, 1, 255]) })
      .execute();
    const row = await client.selectFrom('port_test').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ id: 1, note: 'one', payload: { a: [1, 2] } });
    expect(Number(row.amount)).toBe(1.25);
    expect([...(row.bytes ?? [])]).toEqual([0, 1, 255]);
    const updated = await client.updateTable('port_test').set({ note: 'uno' }).where('id', '=', 1).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
  });

  it("keeps a client's transaction whole while the owner's own transactions wait for it", async () => {
    const { owner, client } = await openPair(engine);
    let releaseClient!: () => void;
    const clientMayCommit = new Promise<void>((resolve) => (releaseClient = resolve));
    let clientInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (clientInserted = resolve));
    const clientTransaction = client.transaction().execute(async (transaction) => {
      await transaction.insertInto('port_test').values({ id: 1, note: 'client' }).execute();
      clientInserted();
      await clientMayCommit;
      await transaction.insertInto('port_test').values({ id: 2, note: 'client' }).execute();
    });
    await inserted;
    const ownerSaw: number[] = [];
    const ownerTransaction = owner.transaction().execute(async (transaction) => {
      const rows = await transaction.selectFrom('port_test').select('id').execute();
      ownerSaw.push(...rows.map((row) => row.id));
      await transaction.insertInto('port_test').values({ id: 3, note: 'owner' }).execute();
    });
    releaseClient();
    await Promise.all([clientTransaction, ownerTransaction]);
    // Never half of the client's transaction. On PGlite (one connection) the owner waited for
    // all of it; on Postgres it had a connection of its own and saw none or all, by timing.
    if (engine.kind === 'pglite') expect(ownerSaw).toEqual([1, 2]);
    else expect([[], [1, 2]]).toContainEqual(ownerSaw.toSorted((a, b) => a - b));
    const ids = await client.selectFrom('port_test').select('id').orderBy('id').execute();
    expect(ids.map((row) => row.id)).toEqual([1, 2, 3]);
  });

  it('rolls a failed transaction back and gives the Postgres error with its code and constraint', async () => {
    const { client } = await openPair(engine);
    await client.insertInto('port_test').values({ id: 1, note: 'first' }).execute();
    const failing = client.transaction().execute(async (transaction) => {
      await transaction.insertInto('port_test').values({ id: 2, note: 'kept only if committed' }).execute();
      await transaction.insertInto('port_test').values({ id: 1, note: 'duplicate' }).execute();
    });
    await expect(failing).rejects.toMatchObject({ code: '23505', constraint: 'port_test_pkey' });
    const ids = await client.selectFrom('port_test').select('id').execute();
    expect(ids.map((row) => row.id)).toEqual([1]);
  });

  it("rolls back a transaction the client left open when the owner stops serving, and fails the client's calls", async () => {
    const { owner, client, served } = await openPair(engine);
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const abandoned = client.transaction().execute(async (transaction) => {
      await transaction.insertInto('port_test').values({ id: 1, note: 'never committed' }).execute();
      opened();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await transaction.insertInto('port_test').values({ id: 2, note: 'never committed' }).execute();
    });
    await isOpen;
    expect(served.leases()).toBe(1);
    await served.close();
    await expect(abandoned).rejects.toThrow(/database thread has stopped/);
    await expect(client.selectFrom('port_test').selectAll().execute()).rejects.toThrow(/database thread has stopped/);
    expect(await owner.selectFrom('port_test').selectAll().execute()).toEqual([]);
  });
});
