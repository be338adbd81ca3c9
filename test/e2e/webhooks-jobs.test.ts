import { webhookEventId } from '@switchyard/db';
import { eventually, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, type ApiAnswer } from '../support/call-api.ts';
import { useGateway } from '../support/use-gateway.ts';
import { startWebhookReceiver, verifiesWith, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver.ts';

// Jobs' webhooks end to end: the gateway with its webhooks service, two real receivers on
// loopback (allow-listed exactly), every terminal state, signatures checked by the
// `standardwebhooks` library. No workers at first, so jobs can be cancelled and expire queued.
let ownReceiver: WebhookReceiver;
let orgReceiver: WebhookReceiver;
let upstream: MockUpstream;
beforeAll(async () => {
  ownReceiver = await startWebhookReceiver();
  orgReceiver = await startWebhookReceiver();
  upstream = await startMockOpenAIUpstream();
  upstream.behave('broken-model', { status: 500, errorMessage: 'upstream is down' });
});
afterAll(async () => {
  await Promise.all([ownReceiver?.close(), orgReceiver?.close(), upstream?.close()]);
});

const gateway = useGateway({
  workers: false,
  webhooks: true,
  overrides: () => ({
    encryptionKey: 'webhooks-jobs-encryption-key',
    webhooks: { allow: [ownReceiver.hostPort, orgReceiver.hostPort], retryScheduleSeconds: [1, 1] },
    providers: { broken: { kind: 'openai-compatible', apiKey: 'sk-broken', baseUrl: upstream.url, attempts: 1 } },
    models: { 'broken-model': { provider: 'broken' } },
  }),
});

const call = (method: string, path: string, body?: unknown): Promise<ApiAnswer> => callApi(gateway, method, path, body);

const chat = (model = 'mock-fast') => ({ model, messages: [{ role: 'user' as const, content: 'hello' }] });
let defaultSecret: string;
let endpoint: { id: string; secret: string };

beforeAll(async () => {
  defaultSecret = (await call('GET', '/v1/webhooks/default/secret')).body.key;
  endpoint = (await call('POST', '/v1/webhooks', { url: `${orgReceiver.url}/org`, description: 'every event' })).body as typeof endpoint;
});

async function createJob(fields: Record<string, unknown>, model?: string): Promise<string> {
  const created = await call('POST', '/v1/jobs', { endpoint: '/v1/chat/completions', body: chat(model), webhook_url: `${ownReceiver.url}/own`, ...fields });
  expect(created.status).toBe(202);
  return created.body.id;
}

const arrivalsOf = (receiver: WebhookReceiver, eventId: string) => receiver.received.filter((request) => request.headers['webhook-id'] === eventId);

/** Waits for the event at both receivers and checks each: signed by its own secret only, the payload naming the job as GET shows it. */
async function expectEvent(jobId: string, type: string): Promise<{ own: ReceivedWebhook; org: ReceivedWebhook }> {
  const eventId = webhookEventId(type, jobId);
  const [own, org] = await eventually(`${type} of ${jobId} at both receivers`, () => {
    const arrived = [arrivalsOf(ownReceiver, eventId)[0], arrivalsOf(orgReceiver, eventId)[0]];
    return arrived.every(Boolean) && (arrived as ReceivedWebhook[]);
  });
  expect(verifiesWith(defaultSecret, own!)).toBe(true);
  expect(verifiesWith(endpoint.secret, own!)).toBe(false);
  expect(verifiesWith(endpoint.secret, org!)).toBe(true);
  expect(verifiesWith(defaultSecret, org!)).toBe(false);
  const job = (await call('GET', `/v1/jobs/${jobId}`)).body;
  for (const request of [own!, org!]) {
    const payload = JSON.parse(request.body) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(payload.type).toBe(type);
    expect(payload.data).toEqual(job);
    expect(Number.isNaN(Date.parse(payload.timestamp))).toBe(false);
  }
  expect(job.status).toBe(type.slice('job.'.length));
  return { own: own!, org: org! };
}

describe('job webhooks end to end', () => {
  it('sends job.cancelled when a queued job is cancelled', async () => {
    const id = await createJob({});
    expect((await call('POST', `/v1/jobs/${id}/cancel`)).body.status).toBe('cancelled');
    await expectEvent(id, 'job.cancelled');
  });

  it('sends job.expired when the TTL passes before a worker starts the job', async () => {
    const id = await createJob({ ttl_seconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await gateway.startWorkers();
    await expectEvent(id, 'job.expired');
  });

  it('sends job.completed, the job created through the official openai SDK', async () => {
    const job = (await gateway.openai.post('/jobs', { body: { endpoint: '/v1/chat/completions', body: chat(), webhook_url: `${ownReceiver.url}/own` } })) as {
      id: string;
    };
    const { own } = await expectEvent(job.id, 'job.completed');
    expect(JSON.parse(own.body).data.output.object).toBe('chat.completion');
  });

  it('sends job.failed for a model whose upstream always fails', async () => {
    const id = await createJob({}, 'broken-model');
    const { org } = await expectEvent(id, 'job.failed');
    expect(JSON.parse(org.body).data.error).toMatchObject({ code: 'upstream_error' });
  });

  it("honours a job's webhook_events on its own URL; org endpoints still receive the event", async () => {
    const id = await createJob({ webhook_events: ['job.failed'] });
    const eventId = webhookEventId('job.completed', id);
    await eventually('job.completed at the org endpoint', () => arrivalsOf(orgReceiver, eventId).length > 0);
    const deliveries = await gateway.db.selectFrom('webhook_deliveries').select('destination').where('subject_id', '=', id).execute();
    expect(deliveries.map((delivery) => delivery.destination)).toEqual([`endpoint:${endpoint.id}`]);
    expect(arrivalsOf(ownReceiver, eventId)).toEqual([]);
  });

  it('lists delivered deliveries with their attempts on both routes, and a manual retry redelivers with the same webhook-id', async () => {
    const id = await createJob({});
    const eventId = webhookEventId('job.completed', id);
    await expectEvent(id, 'job.completed');
    type Delivery = {
      id: string;
      endpoint_id: string | null;
      status: string;
      attempts: number;
      attempt_log: Array<{ outcome: string; response_status: number }>;
    };
    const ofJob = await eventually('both deliveries recorded as delivered', async () => {
      const listed = (await call('GET', `/v1/jobs/${id}/webhook_deliveries`)).body.data as Delivery[];
      return listed.length === 2 && listed.every((delivery) => delivery.status === 'delivered') && listed;
    });
    for (const delivery of ofJob) {
      expect(delivery).toMatchObject({ object: 'webhook_delivery', event_id: eventId, event_type: 'job.completed', attempts: 1, response_status: 200 });
      expect(delivery.attempt_log).toMatchObject([{ attempt: 1, outcome: 'delivered', response_status: 200, error: null }]);
    }
    const toEndpoint = ofJob.find((delivery) => delivery.endpoint_id === endpoint.id)!;
    const own = ofJob.find((delivery) => delivery.endpoint_id === null)!;
    const ofEndpoint = (await call('GET', `/v1/webhooks/${endpoint.id}/deliveries?limit=100`)).body.data as Delivery[];
    expect(ofEndpoint.find((delivery) => delivery.id === toEndpoint.id)).toEqual(toEndpoint);

    const retried = await call('POST', `/v1/webhooks/${endpoint.id}/deliveries/${toEndpoint.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: toEndpoint.id, status: 'pending', event_id: eventId });
    expect((await call('POST', `/v1/jobs/${id}/webhook_deliveries/${own.id}/retry`)).status).toBe(202);
    await eventually('both redeliveries', () => arrivalsOf(orgReceiver, eventId).length === 2 && arrivalsOf(ownReceiver, eventId).length === 2);
    expect(arrivalsOf(orgReceiver, eventId).every((request) => verifiesWith(endpoint.secret, request))).toBe(true);
    expect(arrivalsOf(ownReceiver, eventId).every((request) => verifiesWith(defaultSecret, request))).toBe(true);
    const after = await eventually('the redelivery recorded', async () => {
      const listed = (await call('GET', `/v1/jobs/${id}/webhook_deliveries`)).body.data as Delivery[];
      return listed.every((delivery) => delivery.status === 'delivered' && delivery.attempts === 2) && listed;
    });
    expect(after.map((delivery) => delivery.attempt_log.map((attempt) => attempt.outcome))).toEqual([
      ['delivered', 'delivered'],
      ['delivered', 'delivered'],
    ]);
  });

  it('sends an org endpoint the events of sync requests too, signed with its secret', async () => {
    const completion = await gateway.openai.chat.completions.create(chat()).withResponse();
    const id = completion.response.headers.get('x-job-id')!;
    const eventId = webhookEventId('job.completed', id);
    const [delivered] = await eventually(
      'the sync job.completed at the org endpoint',
      () => arrivalsOf(orgReceiver, eventId).length > 0 && arrivalsOf(orgReceiver, eventId),
    );
    expect(verifiesWith(endpoint.secret, delivered!)).toBe(true);
    expect(JSON.parse(delivered!.body).data).toMatchObject({ id, status: 'completed', output: { id: completion.data.id } });
  });

  it('made exactly one event per terminal job and no event for anything else', async () => {
    const events = await gateway.db.selectFrom('webhook_events').select(['subject_id', 'type']).where('org_id', '=', gateway.orgId).execute();
    const perJob = new Map<string, number>();
    for (const event of events) perJob.set(event.subject_id, (perJob.get(event.subject_id) ?? 0) + 1);
    expect([...perJob.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(['job.cancelled', 'job.expired', 'job.completed', 'job.failed']));
    expect(events).toHaveLength(7);
  });
});
