import { openSecret } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../test-engines.ts';
import { createOrg } from './orgs.ts';
import { recordWebhookEvents } from './webhook-outbox.ts';
import { findWebhookDelivery, listWebhookDeliveries, retryWebhookDelivery } from './webhook-deliveries.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from './webhook-endpoints.ts';

describe.each(engines)('webhook endpoints and deliveries on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;
  let orgId: string;
  let otherOrgId: string;

  beforeAll(async () => {
    handle = await engine.open();
    orgId = (await createOrg(handle.db, { name: 'endpoints' })).id;
    otherOrgId = (await createOrg(handle.db, { name: 'other' })).id;
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  it("keeps an endpoint's secret sealed, rotates it with an overlap, and scopes everything to the org", async () => {
    const { endpoint, secret } = await createWebhookEndpoint(
      handle.db,
      { orgId, url: 'https://a.example/', events: ['job.failed'], description: null },
      'k'.repeat(16),
    );
    expect(endpoint).toMatchObject({ orgId, url: 'https://a.example/', events: ['job.failed'], enabled: true, previousSecretExpiresAt: null });
    expect(await findWebhookEndpoint(handle.db, otherOrgId, endpoint.id)).toBeUndefined();
    expect(await updateWebhookEndpoint(handle.db, otherOrgId, endpoint.id, { enabled: false })).toBeUndefined();
    expect(await rotateWebhookEndpointSecret(handle.db, otherOrgId, endpoint.id, { encryptionKey: undefined, overlapSeconds: 60 })).toBeUndefined();
    expect(await deleteWebhookEndpoint(handle.db, otherOrgId, endpoint.id)).toBe(false);

    const now = new Date('2026-01-01T00:00:00Z');
    const rotated = (await rotateWebhookEndpointSecret(handle.db, orgId, endpoint.id, { encryptionKey: 'k'.repeat(16), overlapSeconds: 60, now }))!;
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.endpoint.previousSecretExpiresAt).toEqual(new Date('2026-01-01T00:01:00Z'));
    const row = await handle.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpoint.id).executeTakeFirstOrThrow();
    expect([openSecret(row.secret, 'k'.repeat(16)), openSecret(row.previous_secret!, 'k'.repeat(16))]).toEqual([rotated.secret, secret]);

    await handle.db.updateTable('webhook_endpoints').set({ enabled: false, disabled_reason: 'kept failing' }).where('id', '=', endpoint.id).execute();
    expect(await updateWebhookEndpoint(handle.db, orgId, endpoint.id, { enabled: true })).toMatchObject({ enabled: true, disabledReason: null });
    expect((await listWebhookEndpoints(handle.db, orgId, { limit: 10 })).data.map((listed) => listed.id)).toEqual([endpoint.id]);
    expect(await deleteWebhookEndpoint(handle.db, orgId, endpoint.id)).toBe(true);
    expect(await findWebhookEndpoint(handle.db, orgId, endpoint.id)).toBeUndefined();
  });

  it('lists deliveries with their attempts by endpoint or by subject, pages them, and retries one under a new generation', async () => {
    const { endpoint } = await createWebhookEndpoint(handle.db, { orgId, url: 'https://b.example/', events: [], description: 'b' }, undefined);
    for (const subjectId of ['req_1', 'req_2', 'req_3'])
      await recordWebhookEvents(handle.db, [
        { orgId, type: 'job.completed', subjectId, data: { id: subjectId }, webhookUrl: `https://own.example/${subjectId}` },
      ]);
    const ofEndpoint = await listWebhookDeliveries(handle.db, orgId, { endpointId: endpoint.id }, { limit: 2 });
    expect(ofEndpoint.hasMore).toBe(true);
    const rest = await listWebhookDeliveries(handle.db, orgId, { endpointId: endpoint.id }, { limit: 2, after: ofEndpoint.data[1]!.id });
    expect(new Set([...ofEndpoint.data, ...rest.data].map((delivery) => delivery.subjectId))).toEqual(new Set(['req_1', 'req_2', 'req_3']));
    expect(rest.hasMore).toBe(false);

    const ofJob = await listWebhookDeliveries(handle.db, orgId, { subjectId: 'req_2' }, { limit: 10 });
    expect(ofJob.data.map((delivery) => delivery.endpointId).sort()).toEqual([endpoint.id, null].sort());
    expect((await listWebhookDeliveries(handle.db, otherOrgId, { subjectId: 'req_2' }, { limit: 10 })).data).toEqual([]);

    const own = ofJob.data.find((delivery) => delivery.endpointId === null)!;
    await handle.db
      .insertInto('webhook_attempts')
      .values([
        { delivery_id: own.id, attempt: 2, outcome: 'delivered', response_status: 200, duration_ms: 5, started_at: new Date('2026-01-01T00:00:05Z') },
        {
          delivery_id: own.id,
          attempt: 1,
          outcome: 'failed',
          response_status: 500,
          duration_ms: 7,
          error: 'HTTP 500',
          started_at: new Date('2026-01-01T00:00:00Z'),
        },
      ])
      .execute();
    await handle.db
      .updateTable('webhook_deliveries')
      .set({ status: 'delivered', attempts: 2, enqueued_at: new Date(), next_attempt_at: new Date() })
      .where('id', '=', own.id)
      .execute();
    const found = (await findWebhookDelivery(handle.db, orgId, { subjectId: 'req_2' }, own.id))!;
    expect(found.attemptLog.map((attempt) => [attempt.attempt, attempt.outcome, attempt.responseStatus, attempt.error])).toEqual([
      [1, 'failed', 500, 'HTTP 500'],
      [2, 'delivered', 200, null],
    ]);
    expect(await findWebhookDelivery(handle.db, orgId, { endpointId: endpoint.id }, own.id)).toBeUndefined();

    expect(await retryWebhookDelivery(handle.db, otherOrgId, { subjectId: 'req_2' }, own.id)).toBeUndefined();
    const retried = (await retryWebhookDelivery(handle.db, orgId, { subjectId: 'req_2' }, own.id))!;
    expect(retried).toMatchObject({ status: 'pending', attempts: 2, eventId: own.eventId, nextAttemptAt: null });
    expect(retried.attemptLog).toHaveLength(2);
    const row = await handle.db.selectFrom('webhook_deliveries').select(['generation', 'enqueued_at']).where('id', '=', own.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ generation: 1, enqueued_at: null });
  });
});
