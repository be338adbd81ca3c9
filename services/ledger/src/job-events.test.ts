import { randomBytes } from 'node:crypto';
import { findJob, webhookEventId, type Database, type Kysely } from '@switchyard/db';
import { createSilentLogger } from '@switchyard/logger';
import { renderJobRecordObject, type LedgerEntry } from '@switchyard/core';
import { appendLedgerEntries, webhookNudgeChannel, type LedgerMessage } from '@switchyard/queue';
import { eventually } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../../packages/db/src/test-engines.ts';
import { createLedgerMetrics } from './ledger-metrics.ts';
import { startLedger } from './start-ledger.ts';
import { jobRecord, usageRecord } from './test-records.ts';
import { writeEachApart } from './write-each-apart.ts';
import { writeLedgerBatch } from './write-ledger-batch.ts';

const ownUrl = 'https://receiver.example/hook';

/** A job's life as the ledger hears it: queued (with its webhook URL), then final. */
function lifeOf(orgId: string, id: string, status: 'completed' | 'failed' | 'cancelled' | 'expired', extra: { webhookEvents?: string[] } = {}): LedgerEntry[] {
  const own = { webhookUrl: ownUrl, ...extra };
  return [
    { type: 'job', record: jobRecord({ id, orgId, status: 'queued', completedAt: undefined, ...own }) },
    ...(status === 'completed' ? [{ type: 'usage' as const, record: usageRecord({ requestId: id, orgId }) }] : []),
    {
      type: 'job',
      record: jobRecord({
        id,
        orgId,
        status,
        servedProvider: 'mock',
        servedModel: 'mock-fast',
        ...(status === 'completed'
          ? { output: { id: 'chatcmpl-1', choices: [] }, usage: { inputTokens: 100, outputTokens: 50 }, costUsd: '0.000000225' }
          : { error: { code: status === 'failed' ? 'upstream_error' : status, message: `the job ${status}` } }),
        ...own,
      }),
    },
  ];
}

async function eventsOf(db: Kysely<Database>, orgId: string) {
  return db.selectFrom('webhook_events').selectAll().where('org_id', '=', orgId).orderBy('subject_id').execute();
}

async function deliveriesOf(db: Kysely<Database>, orgId: string) {
  return db
    .selectFrom('webhook_deliveries')
    .select(['subject_id', 'destination', 'event_type', 'url'])
    .where('org_id', '=', orgId)
    .orderBy('subject_id')
    .orderBy('destination')
    .execute();
}

async function newOrg(db: Kysely<Database>, name: string): Promise<string> {
  const id = `org_${name}_${randomBytes(3).toString('hex')}`;
  await db.insertInto('orgs').values({ id, name }).execute();
  return id;
}

describe.each(engines)('job webhook events on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;
  beforeAll(async () => {
    handle = await engine.open();
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  it('records one event per terminal job, whose data is the job object GET answers, however often the entries are replayed', async () => {
    const orgId = await newOrg(handle.db, 'replay');
    await handle.db
      .insertInto('webhook_endpoints')
      .values({ id: 'we_replay', org_id: orgId, url: 'https://org.example/hook', events: '[]', secret: 's' })
      .execute();
    const entries = [
      ...lifeOf(orgId, 'req_done', 'completed'),
      ...lifeOf(orgId, 'req_failed', 'failed'),
      ...lifeOf(orgId, 'req_cancelled', 'cancelled'),
      ...lifeOf(orgId, 'req_expired', 'expired', { webhookEvents: ['job.completed'] }),
    ];
    const first = await writeLedgerBatch(handle.db, entries);
    // Four own-URL deliveries but the filtered one, four to the org endpoint.
    expect(first.deliveries).toBe(7);
    expect(await writeLedgerBatch(handle.db, entries)).toMatchObject({ deliveries: 0, finished: [] });
    await writeLedgerBatch(handle.db, [...entries.slice(2, 6), ...entries.slice(2, 6)]);

    const events = await eventsOf(handle.db, orgId);
    expect(events.map((event) => [event.subject_id, event.type, event.id])).toEqual([
      ['req_cancelled', 'job.cancelled', webhookEventId('job.cancelled', 'req_cancelled')],
      ['req_done', 'job.completed', webhookEventId('job.completed', 'req_done')],
      ['req_expired', 'job.expired', webhookEventId('job.expired', 'req_expired')],
      ['req_failed', 'job.failed', webhookEventId('job.failed', 'req_failed')],
    ]);
    for (const event of events) {
      const record = (await findJob(handle.db, orgId, event.subject_id))!;
      expect(event.data).toEqual(renderJobRecordObject(record));
    }
    expect(events.find((event) => event.subject_id === 'req_done')!.data).toMatchObject({
      status: 'completed',
      cost_usd: '0.000000225',
      output: { id: 'chatcmpl-1' },
    });
    expect((await deliveriesOf(handle.db, orgId)).map((row) => `${row.subject_id} ${row.destination} ${row.event_type}`)).toEqual([
      'req_cancelled endpoint:we_replay job.cancelled',
      'req_cancelled url job.cancelled',
      'req_done endpoint:we_replay job.completed',
      'req_done url job.completed',
      'req_expired endpoint:we_replay job.expired',
      'req_failed endpoint:we_replay job.failed',
      'req_failed url job.failed',
    ]);
  });

  it('keeps the URL of the queued record when the final one arrives in a later batch, and makes one event whatever the order', async () => {
    const orgId = await newOrg(handle.db, 'split');
    const [queued, final] = lifeOf(orgId, 'req_split', 'failed') as [LedgerEntry, LedgerEntry];
    const finalWithoutUrl = { ...final, record: { ...final.record, webhookUrl: undefined } } as LedgerEntry;
    expect((await writeLedgerBatch(handle.db, [queued])).deliveries).toBe(0);
    expect((await writeLedgerBatch(handle.db, [finalWithoutUrl])).deliveries).toBe(1);
    expect((await writeLedgerBatch(handle.db, [queued, final])).deliveries).toBe(0);
    const [reversedQueued, reversedFinal] = lifeOf(orgId, 'req_reversed', 'cancelled') as [LedgerEntry, LedgerEntry];
    expect((await writeLedgerBatch(handle.db, [reversedFinal])).deliveries).toBe(1);
    expect((await writeLedgerBatch(handle.db, [reversedQueued])).deliveries).toBe(0);
    expect((await findJob(handle.db, orgId, 'req_reversed'))?.status).toBe('cancelled');
    expect((await deliveriesOf(handle.db, orgId)).map((row) => [row.subject_id, row.url])).toEqual([
      ['req_reversed', ownUrl],
      ['req_split', ownUrl],
    ]);
    expect(await eventsOf(handle.db, orgId)).toHaveLength(2);
    const stored = await handle.db.selectFrom('jobs').select(['webhook_url', 'webhook_events']).where('id', '=', 'req_split').executeTakeFirstOrThrow();
    expect(stored).toEqual({ webhook_url: ownUrl, webhook_events: null });
  });

  it('gives a sync request its event only when an enabled org endpoint subscribes to it', async () => {
    const orgId = await newOrg(handle.db, 'sync');
    const sync = (id: string, status: 'completed' | 'failed') => ({ type: 'job' as const, record: jobRecord({ id, orgId, mode: 'sync', status }) });
    await writeLedgerBatch(handle.db, [sync('req_unheard', 'completed')]);
    await handle.db
      .insertInto('webhook_endpoints')
      .values([
        { id: `we_failures_${orgId}`, org_id: orgId, url: 'https://failures.example/', events: '["job.failed"]', secret: 's' },
        { id: `we_off_${orgId}`, org_id: orgId, url: 'https://off.example/', events: '[]', secret: 's', enabled: false },
      ])
      .execute();
    const written = await writeLedgerBatch(handle.db, [sync('req_sync_ok', 'completed'), sync('req_sync_failed', 'failed')]);
    expect(written.deliveries).toBe(1);
    expect((await eventsOf(handle.db, orgId)).map((event) => [event.subject_id, event.type])).toEqual([['req_sync_failed', 'job.failed']]);
  });

  it('makes no event for a batch line: its batch speaks for it', async () => {
    const orgId = await newOrg(handle.db, 'lines');
    const written = await writeLedgerBatch(handle.db, [
      { type: 'job', record: jobRecord({ id: 'req_line', orgId, mode: 'batch', batchId: 'batch_1', customId: 'a' }) },
    ]);
    expect(written.finished).toHaveLength(1);
    expect(await eventsOf(handle.db, orgId)).toEqual([]);
  });

  it('makes one event per job on the entry-by-entry path, and none again when the batch is replayed', async () => {
    const orgId = await newOrg(handle.db, 'apart');
    // The database refuses this cost (past NUMERIC(30,15)), so the batch fails as a whole.
    const poison: LedgerEntry = { type: 'usage', record: usageRecord({ requestId: 'req_poison', orgId, costUsd: '1000000000000000000' }) };
    const entries = [...lifeOf(orgId, 'req_a', 'completed'), poison, ...lifeOf(orgId, 'req_b', 'cancelled')];
    await expect(writeLedgerBatch(handle.db, entries)).rejects.toThrow();
    expect(await eventsOf(handle.db, orgId)).toEqual([]);
    const messages: LedgerMessage[] = entries.map((entry, index) => ({ id: `1-${index}`, entry, raw: JSON.stringify(entry) }));
    const context = {
      db: handle.db,
      redis: undefined as never,
      prefix: 'unused',
      logger: createSilentLogger(),
      metrics: createLedgerMetrics(),
      maxEntryFailures: 5,
    };
    const good = messages.filter((message) => message.entry !== poison);
    const apart = await writeEachApart(context, good);
    expect(apart.committed).toHaveLength(good.length);
    expect(apart.deliveries).toBe(2);
    expect((await writeEachApart(context, good)).deliveries).toBe(0);
    await writeLedgerBatch(
      handle.db,
      entries.filter((entry) => entry !== poison),
    );
    expect((await eventsOf(handle.db, orgId)).map((event) => event.type)).toEqual(['job.completed', 'job.cancelled']);
  });
});

describe('the ledger nudges the webhooks service', () => {
  it('publishes on the nudge channel after a commit that recorded deliveries', async () => {
    const handle = await engines[0].open();
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const subscriber = redis.duplicate();
    const prefix = `test-nudge-${randomBytes(4).toString('hex')}`;
    const nudges: string[] = [];
    const ledger = await startLedger({ redis, db: handle.db, logger: createSilentLogger(), prefix, blockMs: 100 });
    try {
      await subscriber.subscribe(webhookNudgeChannel(prefix));
      subscriber.on('message', (channel) => nudges.push(channel));
      const orgId = await newOrg(handle.db, 'nudge');
      await appendLedgerEntries(redis, prefix, lifeOf(orgId, 'req_nudged', 'completed'));
      await eventually('a nudge', async () => nudges.length > 0);
      expect(nudges[0]).toBe(webhookNudgeChannel(prefix));
      expect(await deliveriesOf(handle.db, orgId)).toHaveLength(1);
    } finally {
      await ledger.stop();
      await subscriber.quit();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await handle.cleanup();
    }
  });
});
