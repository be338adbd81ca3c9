import { webhookEventId } from '@switchyard/db';
import { eventually } from '@switchyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, type ApiAnswer } from '../support/call-api.ts';
import { useGateway } from '../support/use-gateway.ts';
import { startWebhookReceiver, verifiesWith, type WebhookReceiver } from '../support/webhook-receiver.ts';

// Batches' webhooks end to end: a batch's terminal state is one `batch.*` event, delivered to
// its `metadata.webhook_url` (signed with the org default secret) and to the org endpoints
// subscribed to it (signed with their own), the payload the batch object as GET answers it.
let ownReceiver: WebhookReceiver;
let orgReceiver: WebhookReceiver;
beforeAll(async () => {
  ownReceiver = await startWebhookReceiver();
  orgReceiver = await startWebhookReceiver();
});
afterAll(async () => {
  await Promise.all([ownReceiver?.close(), orgReceiver?.close()]);
});

const gateway = useGateway({
  webhooks: true,
  overrides: () => ({ webhooks: { allow: [ownReceiver.hostPort, orgReceiver.hostPort], retryScheduleSeconds: [1, 1] } }),
});

const call = (method: string, path: string, body?: unknown): Promise<ApiAnswer> => callApi(gateway, method, path, body);

const line = (customId: string, model = 'mock-fast') => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model, messages: [{ role: 'user', content: `hello ${customId}` }] },
});

let defaultSecret: string;
let endpointSecret: string;
beforeAll(async () => {
  defaultSecret = (await call('GET', '/v1/webhooks/default/secret')).body.key;
  // Subscribed to batch events only: job events of the lines must not reach it.
  endpointSecret = (
    await call('POST', '/v1/webhooks', { url: `${orgReceiver.url}/org`, events: ['batch.completed', 'batch.cancelled', 'batch.failed', 'batch.expired'] })
  ).body.secret;
});

async function expectBatchEvent(batchId: string, type: string): Promise<void> {
  const eventId = webhookEventId(type, batchId);
  const [own, org] = await eventually(`${type} of ${batchId} at both receivers`, () => {
    const arrived = [ownReceiver, orgReceiver].map((receiver) => receiver.received.find((request) => request.headers['webhook-id'] === eventId));
    return arrived.every(Boolean) && arrived;
  });
  expect(verifiesWith(defaultSecret, own!)).toBe(true);
  expect(verifiesWith(endpointSecret, org!)).toBe(true);
  expect(verifiesWith(defaultSecret, org!)).toBe(false);
  const batch = (await call('GET', `/v1/batches/${batchId}`)).body;
  for (const request of [own!, org!]) {
    const payload = JSON.parse(request.body) as { type: string; data: Record<string, unknown> };
    expect(payload.type).toBe(type);
    expect(payload.data).toEqual(batch);
  }
}

describe('batch webhooks', () => {
  it('sends batch.completed once, to the batch URL and the subscribed endpoint, and no job events for its lines', async () => {
    const created = await call('POST', '/v1/batches', {
      endpoint: '/v1/chat/completions',
      requests: [line('one'), line('two'), line('three', 'no-such-model')],
      metadata: { webhook_url: `${ownReceiver.url}/own` },
    });
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    await eventually('the batch completes', async () => (await call('GET', `/v1/batches/${id}`)).body.status === 'completed');
    await expectBatchEvent(id, 'batch.completed');
    // One event per terminal state, and nothing for the lines (job.* events belong to jobs).
    const eventIds = new Set([...ownReceiver.received, ...orgReceiver.received].map((request) => request.headers['webhook-id']));
    expect([...eventIds].filter((eventId) => eventId === webhookEventId('batch.completed', id))).toHaveLength(1);
    for (const index of [0, 1, 2]) {
      for (const type of ['job.completed', 'job.failed']) expect(eventIds.has(webhookEventId(type, `${id}-${index}`))).toBe(false);
    }
  });

  it('sends batch.cancelled for a batch cancelled before it ran', async () => {
    const created = await call('POST', '/v1/batches', {
      endpoint: '/v1/chat/completions',
      requests: Array.from({ length: 20 }, (_, index) => line(`slow-${index}`, 'mock-slow')),
      metadata: { webhook_url: `${ownReceiver.url}/own` },
    });
    const id = created.body.id as string;
    expect((await call('POST', `/v1/batches/${id}/cancel`)).status).toBe(200);
    await eventually('the batch is cancelled', async () => (await call('GET', `/v1/batches/${id}`)).body.status === 'cancelled');
    await expectBatchEvent(id, 'batch.cancelled');
  });
});
