import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../test-engines.ts';
import { createOrg } from './orgs.ts';
import { recordWebhookEvents, webhookEventId } from './webhook-outbox.ts';

describe.each(engines)('webhook outbox on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;
  let orgId: string;
  let otherOrgId: string;

  beforeAll(async () => {
    handle = await engine.open();
    orgId = (await createOrg(handle.db, { name: 'outbox' })).id;
    otherOrgId = (await createOrg(handle.db, { name: 'other' })).id;
    await handle.db
      .insertInto('webhook_endpoints')
      .values([
        { id: 'we_all', org_id: orgId, url: 'https://all.example/hook', events: '[]', secret: 'whsec_a' },
        { id: 'we_failed', org_id: orgId, url: 'https://failed.example/hook', events: '["job.failed"]', secret: 'whsec_b' },
        { id: 'we_off', org_id: orgId, url: 'https://off.example/hook', events: '[]', secret: 'whsec_c', enabled: false },
        { id: 'we_other', org_id: otherOrgId, url: 'https://other.example/hook', events: '[]', secret: 'whsec_d' },
      ])
      .execute();
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  const deliveriesOf = (subjectId: string) =>
    handle.db.selectFrom('webhook_deliveries').selectAll().where('subject_id', '=', subjectId).orderBy('destination').execute();

  it('fans an event out to the own URL and the subscribed, enabled endpoints of its org only', async () => {
    const created = await recordWebhookEvents(handle.db, [
      { orgId, type: 'job.completed', subjectId: 'req_1', data: { id: 'req_1', status: 'completed' }, webhookUrl: 'https://own.example/cb' },
    ]);
    expect(created).toBe(2);
    const rows = await deliveriesOf('req_1');
    expect(rows.map((row) => [row.destination, row.url, row.status, row.enqueued_at])).toEqual([
      ['endpoint:we_all', 'https://all.example/hook', 'pending', null],
      ['url', 'https://own.example/cb', 'pending', null],
    ]);
    expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set([webhookEventId('job.completed', 'req_1')]));
    expect(rows[0]!.payload).toMatchObject({ type: 'job.completed', data: { id: 'req_1', status: 'completed' } });
  });

  it('records an event once however often it is replayed, in one call or many', async () => {
    const event = { orgId, type: 'job.failed' as const, subjectId: 'req_2', data: { id: 'req_2' }, webhookUrl: 'https://own.example/cb' };
    expect(await recordWebhookEvents(handle.db, [event, event])).toBe(3);
    expect(await recordWebhookEvents(handle.db, [event])).toBe(0);
    await handle.db.transaction().execute((transaction) => recordWebhookEvents(transaction, [event]));
    expect((await deliveriesOf('req_2')).map((row) => row.destination)).toEqual(['endpoint:we_all', 'endpoint:we_failed', 'url']);
    const events = await handle.db.selectFrom('webhook_events').selectAll().where('subject_id', '=', 'req_2').execute();
    expect(events).toHaveLength(1);
  });

  it('honours the subject filter on its own URL', async () => {
    await recordWebhookEvents(handle.db, [
      { orgId, type: 'job.cancelled', subjectId: 'req_3', data: {}, webhookUrl: 'https://own.example/cb', webhookEvents: ['job.completed'] },
    ]);
    expect((await deliveriesOf('req_3')).map((row) => row.destination)).toEqual(['endpoint:we_all']);
  });

  it('keeps the event when nobody listens, so it can still be listed', async () => {
    expect(await recordWebhookEvents(handle.db, [{ orgId: otherOrgId, type: 'batch.expired', subjectId: 'batch_x', data: {} }])).toBe(1);
    expect(await recordWebhookEvents(handle.db, [{ orgId: 'org_nobody', type: 'job.expired', subjectId: 'req_4', data: {} }])).toBe(0);
    expect(await handle.db.selectFrom('webhook_events').select('id').where('subject_id', '=', 'req_4').execute()).toHaveLength(1);
  });
});
