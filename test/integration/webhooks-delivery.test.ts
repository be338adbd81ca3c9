import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@switchyard/config';
import { sealSecret } from '@switchyard/core';
import { createDb, createOrg, getOrCreateOrgWebhookSecret, migrateToLatest, recordWebhookEvents, type DbHandle, type WebhookEventInput } from '@switchyard/db';
import { createSilentLogger } from '@switchyard/logger';
import { bullmqPrefix, webhookNudgeChannel, webhookQueueName } from '@switchyard/queue';
import { createTestDatabase, deletePrefix, eventually, testRedis, uniquePrefix, type TestDatabase } from '@switchyard/testing';
import { startWebhooks, type RunningWebhooks } from '@switchyard/webhooks';
import { startWebhookReceiver, verifiesWith, type ReceiverHandler, type WebhookReceiver } from '../support/webhook-receiver.ts';

const encryptionKey = 'webhooks-test-encryption-key';
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

describe('webhooks delivery service', () => {
  let redisUrl: string;
  let redis: Redis;
  let testDatabase: TestDatabase;
  let handle: DbHandle;
  let running: Array<{ webhooks: RunningWebhooks; prefix: string }> = [];
  let receivers: WebhookReceiver[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    redisUrl = (await testRedis()).url;
    redis = new Redis(redisUrl);
    testDatabase = await createTestDatabase();
    handle = await createDb({ url: testDatabase.url });
    await migrateToLatest(handle.db);
  });
  afterEach(async () => {
    // Receivers first: hanging requests end, so the workers' attempts in flight finish at once.
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await Promise.all(running.map(({ webhooks }) => webhooks.stop()));
    receivers = [];
    running = [];
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deletePrefix(redisUrl, prefix);
    await redis?.quit();
    await handle?.close();
    await testDatabase?.drop();
  });

  type ServiceOptions = { allow: string[]; schedule?: number[]; timeoutMs?: number; perDestinationConcurrency?: number; concurrency?: number };
  const startService = async (options: ServiceOptions) => {
    const prefix = uniquePrefix('wh');
    prefixes.push(prefix);
    const config = loadConfig({
      env: {},
      overrides: {
        redis: { url: redisUrl, prefix },
        database: { url: testDatabase.url },
        encryptionKey,
        webhooks: {
          allow: options.allow,
          retryScheduleSeconds: options.schedule ?? [],
          timeoutMs: options.timeoutMs ?? 5000,
          perDestinationConcurrency: options.perDestinationConcurrency ?? 4,
          concurrency: options.concurrency ?? 16,
        },
      },
    });
    const registry = new Registry();
    const webhooks = await startWebhooks({ config, db: handle.db, logger: createSilentLogger(), registry, pollIntervalMs: 100 });
    running.push({ webhooks, prefix });
    return { webhooks, prefix, registry };
  };
  const receiver = async (handler?: ReceiverHandler) => {
    const started = await startWebhookReceiver(handler);
    receivers.push(started);
    return started;
  };
  const newOrg = async () => (await createOrg(handle.db, { name: `webhooks-${randomBytes(3).toString('hex')}` })).id;
  const addEndpoint = async (
    orgId: string,
    url: string,
    secret: string,
    extra: { previous_secret?: string; previous_secret_expires_at?: Date; enabled?: boolean } = {},
  ) => {
    const id = `we_${randomBytes(6).toString('hex')}`;
    await handle.db
      .insertInto('webhook_endpoints')
      .values({ id, org_id: orgId, url, events: '[]', secret: sealSecret(secret, encryptionKey), ...extra })
      .execute();
    return id;
  };
  /** What the ledger does: events and deliveries in one transaction, then a nudge after the commit. */
  const produce = async (prefix: string | undefined, events: WebhookEventInput[]) => {
    const created = await handle.db.transaction().execute((transaction) => recordWebhookEvents(transaction, events));
    if (prefix && created > 0) await redis.publish(webhookNudgeChannel(prefix), '1');
    return created;
  };
  const jobEvent = (orgId: string, overrides: Partial<WebhookEventInput> = {}): WebhookEventInput => {
    const subjectId = `req_${randomBytes(8).toString('hex')}`;
    return { orgId, type: 'job.completed', subjectId, data: { id: subjectId, object: 'job', status: 'completed' }, ...overrides };
  };
  const deliveriesOf = (subjectId: string) =>
    handle.db.selectFrom('webhook_deliveries').selectAll().where('subject_id', '=', subjectId).orderBy('destination').execute();
  const attemptsOf = (deliveryId: string) =>
    handle.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt').execute();
  const settled = (subjectId: string) => async () => {
    const rows = await deliveriesOf(subjectId);
    return rows.length > 0 && rows.every((row) => row.status === 'delivered' || row.status === 'failed');
  };
  const counter = async (registry: Registry, status: string) => {
    const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === 'switchyard_webhook_deliveries_total');
    return metric?.values.find((value) => value.labels.status === status)?.value ?? 0;
  };

  it('delivers a signed event: an org endpoint signs with its own secret, a job URL with the org default secret', async () => {
    const endpointReceiver = await receiver();
    const jobReceiver = await receiver();
    const orgId = await newOrg();
    const endpointSecret = newSecret();
    await addEndpoint(orgId, endpointReceiver.url, endpointSecret);
    const { prefix, registry } = await startService({ allow: [endpointReceiver.hostPort, jobReceiver.hostPort] });
    const event = jobEvent(orgId, { webhookUrl: jobReceiver.url });
    expect(await produce(prefix, [event])).toBe(2);

    await eventually('both deliveries to arrive', settled(event.subjectId));
    const orgSecret = await getOrCreateOrgWebhookSecret(handle.db, orgId, encryptionKey);
    expect(endpointReceiver.received).toHaveLength(1);
    expect(jobReceiver.received).toHaveLength(1);
    const [atEndpoint] = endpointReceiver.received;
    const [atJob] = jobReceiver.received;
    expect(verifiesWith(endpointSecret, atEndpoint!)).toBe(true);
    expect(verifiesWith(orgSecret, atEndpoint!)).toBe(false);
    expect(verifiesWith(orgSecret, atJob!)).toBe(true);
    expect(verifiesWith(endpointSecret, atJob!)).toBe(false);

    const rows = await deliveriesOf(event.subjectId);
    for (const request of [atEndpoint!, atJob!]) {
      expect(request.headers['webhook-id']).toBe(rows[0]!.event_id);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toBe('Switchyard-Webhooks/1');
      expect(JSON.parse(request.body)).toEqual({ type: 'job.completed', timestamp: expect.any(String), data: event.data });
      expect(Math.abs(Number(request.headers['webhook-timestamp']) - request.at / 1000)).toBeLessThan(60);
    }
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'delivered', attempts: 1, response_status: 200, last_error: null });
      expect(row.delivered_at).toBeInstanceOf(Date);
      expect(row.enqueued_at).toBeInstanceOf(Date);
      expect(await attemptsOf(row.id)).toMatchObject([{ attempt: 1, outcome: 'delivered', response_status: 200, error: null }]);
    }
    expect(await counter(registry, 'delivered')).toBe(2);
    const latency = (await registry.getMetricsAsJSON()).find((entry) => entry.name === 'switchyard_webhook_delivery_latency_seconds');
    const count = latency?.values.find((value) => (value as { metricName?: string }).metricName === 'switchyard_webhook_delivery_latency_seconds_count');
    expect(count?.value).toBe(2);
  });

  it('signs with both secrets during a rotation overlap, and with the new one alone once it is over', async () => {
    const target = await receiver();
    const orgId = await newOrg();
    const [current, previous] = [newSecret(), newSecret()];
    await addEndpoint(orgId, target.url, current, {
      previous_secret: sealSecret(previous, encryptionKey),
      previous_secret_expires_at: new Date(Date.now() + 3600_000),
    });
    const otherOrg = await newOrg();
    await addEndpoint(otherOrg, target.url, current, {
      previous_secret: sealSecret(previous, encryptionKey),
      previous_secret_expires_at: new Date(Date.now() - 1000),
    });
    const { prefix } = await startService({ allow: [target.hostPort] });
    const during = jobEvent(orgId);
    const after = jobEvent(otherOrg);
    await produce(prefix, [during, after]);
    await eventually('both deliveries', async () => (await settled(during.subjectId)()) && (await settled(after.subjectId)()));

    const byOrg = (subject: string) => target.received.find((request) => JSON.parse(request.body).data.id === subject)!;
    const overlapping = byOrg(during.subjectId);
    const signatures = overlapping.headers['webhook-signature']!.split(' ');
    expect(signatures).toHaveLength(2);
    for (const signature of signatures) expect(signature).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(verifiesWith(current, overlapping)).toBe(true);
    expect(verifiesWith(previous, overlapping)).toBe(true);
    // Each signature on its own verifies with exactly one of the secrets.
    const alone = (index: number) => ({ ...overlapping, headers: { ...overlapping.headers, 'webhook-signature': signatures[index]! } });
    expect([verifiesWith(current, alone(0)), verifiesWith(previous, alone(0))]).toEqual([true, false]);
    expect([verifiesWith(current, alone(1)), verifiesWith(previous, alone(1))]).toEqual([false, true]);

    const expired = byOrg(after.subjectId);
    expect(expired.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(verifiesWith(current, expired)).toBe(true);
    expect(verifiesWith(previous, expired)).toBe(false);
  });

  it('retries after 500s with the same webhook-id, no earlier than the schedule says, and records every attempt', async () => {
    const target = await receiver((_request, index, response) => response.writeHead(index < 2 ? 500 : 204).end(index < 2 ? 'boom' : undefined));
    const orgId = await newOrg();
    const schedule = [0.4, 0.8, 5];
    const { prefix, registry } = await startService({ allow: [target.hostPort], schedule });
    const event = jobEvent(orgId, { webhookUrl: target.url });
    await produce(prefix, [event]);
    await eventually('the delivery to succeed on its third attempt', settled(event.subjectId));

    const [row] = await deliveriesOf(event.subjectId);
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, response_status: 204, last_error: null, next_attempt_at: null });
    expect(target.received).toHaveLength(3);
    expect(new Set(target.received.map((request) => request.headers['webhook-id']))).toEqual(new Set([row!.event_id]));
    const orgSecret = await getOrCreateOrgWebhookSecret(handle.db, orgId, encryptionKey);
    for (const request of target.received) expect(verifiesWith(orgSecret, request)).toBe(true);
    // Each retry came no earlier than its delay after the previous attempt (a lower bound only).
    expect(target.received[1]!.at - target.received[0]!.at).toBeGreaterThanOrEqual(schedule[0]! * 1000);
    expect(target.received[2]!.at - target.received[1]!.at).toBeGreaterThanOrEqual(schedule[1]! * 1000);

    const attempts = await attemptsOf(row!.id);
    expect(attempts.map(({ attempt, outcome, response_status, error }) => ({ attempt, outcome, response_status, error }))).toEqual([
      { attempt: 1, outcome: 'failed', response_status: 500, error: 'HTTP 500' },
      { attempt: 2, outcome: 'failed', response_status: 500, error: 'HTTP 500' },
      { attempt: 3, outcome: 'delivered', response_status: 204, error: null },
    ]);
    for (const attempt of attempts) {
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);
      expect(attempt.started_at).toBeInstanceOf(Date);
    }
    expect(await counter(registry, 'retrying')).toBe(2);
    expect(await counter(registry, 'delivered')).toBe(1);
  });

  it('gives up once the schedule is spent', async () => {
    const target = await receiver((_request, _index, response) => response.writeHead(500).end());
    const orgId = await newOrg();
    const { prefix, registry } = await startService({ allow: [target.hostPort], schedule: [0.1, 0.1] });
    const event = jobEvent(orgId, { webhookUrl: target.url });
    await produce(prefix, [event]);
    await eventually('the delivery to fail', settled(event.subjectId));
    const [row] = await deliveriesOf(event.subjectId);
    expect(row).toMatchObject({ status: 'failed', attempts: 3, response_status: 500, last_error: 'HTTP 500; gave up after 3 attempts', next_attempt_at: null });
    expect(target.received).toHaveLength(3);
    expect((await attemptsOf(row!.id)).map((attempt) => attempt.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(await counter(registry, 'failed')).toBe(1);
  });

  it("waits a 429's Retry-After (seconds) and a 503's (HTTP date) instead of the schedule", async () => {
    const rateLimited = await receiver((_request, index, response) =>
      index === 0 ? response.writeHead(429, { 'retry-after': '1' }).end() : response.writeHead(200).end(),
    );
    const unavailable = await receiver((_request, index, response) =>
      index === 0 ? response.writeHead(503, { 'retry-after': new Date(Date.now() + 2000).toUTCString() }).end() : response.writeHead(200).end(),
    );
    const orgId = await newOrg();
    const { prefix } = await startService({ allow: [rateLimited.hostPort, unavailable.hostPort], schedule: [0.05] });
    const first = jobEvent(orgId, { webhookUrl: rateLimited.url });
    const second = jobEvent(orgId, { webhookUrl: unavailable.url });
    await produce(prefix, [first, second]);
    await eventually('both deliveries', async () => (await settled(first.subjectId)()) && (await settled(second.subjectId)()));
    for (const [target, subject] of [
      [rateLimited, first.subjectId],
      [unavailable, second.subjectId],
    ] as const) {
      expect(target.received).toHaveLength(2);
      // An HTTP date has whole seconds: two seconds ahead is at least one second after the answer.
      expect(target.received[1]!.at - target.received[0]!.at).toBeGreaterThanOrEqual(1000);
      expect((await deliveriesOf(subject))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    }
  });

  it('disables an org endpoint that answers 410; a job URL answering 410 is an ordinary failure', async () => {
    const gone = await receiver((_request, _index, response) => response.writeHead(410).end());
    const orgId = await newOrg();
    const endpointId = await addEndpoint(orgId, gone.url, newSecret());
    const { prefix } = await startService({ allow: [gone.hostPort], schedule: [0.1] });
    const event = jobEvent(orgId, { webhookUrl: `${gone.url}?own=1` });
    await produce(prefix, [event]);
    await eventually('both deliveries to fail', settled(event.subjectId));

    const endpoint = await handle.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpointId).executeTakeFirstOrThrow();
    expect(endpoint).toMatchObject({ enabled: false, disabled_reason: 'the endpoint answered 410 Gone' });
    const [atEndpoint, atUrl] = await deliveriesOf(event.subjectId);
    expect(atEndpoint).toMatchObject({ destination: `endpoint:${endpointId}`, status: 'failed', attempts: 1, response_status: 410, last_error: 'HTTP 410' });
    // The job's own URL is retried on the schedule like any failure.
    expect(atUrl).toMatchObject({ destination: 'url', status: 'failed', attempts: 2, response_status: 410, last_error: 'HTTP 410; gave up after 2 attempts' });
  });

  it('does not send the pending deliveries of an endpoint disabled meanwhile', async () => {
    const target = await receiver();
    const orgId = await newOrg();
    const endpointId = await addEndpoint(orgId, target.url, newSecret());
    const event = jobEvent(orgId);
    await produce(undefined, [event]);
    await handle.db.updateTable('webhook_endpoints').set({ enabled: false, disabled_reason: 'turned off by the org' }).where('id', '=', endpointId).execute();
    await startService({ allow: [target.hostPort] });
    await eventually('the delivery to fail', settled(event.subjectId));
    const [row] = await deliveriesOf(event.subjectId);
    expect(row).toMatchObject({ status: 'failed', attempts: 0, last_error: 'not sent: the endpoint is disabled: turned off by the org' });
    expect(await attemptsOf(row!.id)).toEqual([]);
    expect(target.connections()).toBe(0);
  });

  it('never follows a redirect: a 302 is a failure and the redirect target sees nothing', async () => {
    const redirectTarget = await receiver();
    const redirecting = await receiver((_request, _index, response) => response.writeHead(302, { location: redirectTarget.url }).end());
    const orgId = await newOrg();
    const { prefix } = await startService({ allow: [redirecting.hostPort, redirectTarget.hostPort], schedule: [0.1] });
    const event = jobEvent(orgId, { webhookUrl: redirecting.url });
    await produce(prefix, [event]);
    await eventually('the delivery to fail', settled(event.subjectId));
    const [row] = await deliveriesOf(event.subjectId);
    expect(row).toMatchObject({ status: 'failed', attempts: 2, response_status: 302 });
    expect((await attemptsOf(row!.id)).map((attempt) => attempt.error)).toEqual([
      'HTTP 302 (redirects are not followed)',
      'HTTP 302 (redirects are not followed); gave up after 2 attempts',
    ]);
    expect(redirecting.received).toHaveLength(2);
    expect(redirectTarget.connections()).toBe(0);
  });

  it('records a receiver that does not answer in time as a failed attempt, and retries it', async () => {
    // The first request hangs; the second is answered.
    const slow = await receiver((_request, index, response) => (index === 0 ? undefined : response.writeHead(200).end()));
    const orgId = await newOrg();
    const { prefix } = await startService({ allow: [slow.hostPort], schedule: [0.1], timeoutMs: 400 });
    const event = jobEvent(orgId, { webhookUrl: slow.url });
    await produce(prefix, [event]);
    await eventually('the delivery to succeed on its retry', settled(event.subjectId));
    const [row] = await deliveriesOf(event.subjectId);
    expect(row).toMatchObject({ status: 'delivered', attempts: 2 });
    const attempts = await attemptsOf(row!.id);
    expect(attempts.map(({ outcome, response_status, error }) => ({ outcome, response_status, error }))).toEqual([
      { outcome: 'failed', response_status: null, error: 'no answer within 400 ms' },
      { outcome: 'delivered', response_status: 200, error: null },
    ]);
    expect(attempts[0]!.duration_ms).toBeGreaterThanOrEqual(400);
  });

  it('refuses a name that resolves to a loopback address without opening a connection, and fails the delivery at once', async () => {
    const canary = await receiver();
    const allowed = await receiver();
    const orgId = await newOrg();
    // Only another port is allow-listed: the canary's address and port are not.
    const { prefix, registry } = await startService({ allow: [allowed.hostPort], schedule: [0.1, 0.1] });
    const byName = jobEvent(orgId, { webhookUrl: `http://localhost:${canary.port}/hooks` });
    const byAddress = jobEvent(orgId, { webhookUrl: `http://127.0.0.1:${canary.port}/hooks` });
    await produce(prefix, [byName, byAddress]);
    await eventually('both deliveries to fail', async () => (await settled(byName.subjectId)()) && (await settled(byAddress.subjectId)()));
    for (const subject of [byName.subjectId, byAddress.subjectId]) {
      const [row] = await deliveriesOf(subject);
      expect(row).toMatchObject({ status: 'failed', attempts: 1, response_status: null });
      expect(row!.last_error).toMatch(/^destination refused: .*:\d+ resolves to (127\.0\.0\.1|::1), a loopback address/);
      expect(await attemptsOf(row!.id)).toMatchObject([{ attempt: 1, outcome: 'refused', response_status: null }]);
    }
    expect(canary.connections()).toBe(0);
    expect(canary.received).toHaveLength(0);
    expect(await counter(registry, 'refused')).toBe(2);
  });

  it('holds at most perDestinationConcurrency deliveries to a hung receiver, so the others still arrive', async () => {
    const hung = await receiver(() => undefined);
    const healthy = await receiver();
    const orgId = await newOrg();
    // Four worker slots in all: without the per-destination bound the hung receiver would hold every one.
    const { prefix } = await startService({ allow: [hung.hostPort, healthy.hostPort], concurrency: 4, perDestinationConcurrency: 2, timeoutMs: 30_000 });
    const toHung = Array.from({ length: 6 }, () => jobEvent(orgId, { webhookUrl: hung.url }));
    await produce(prefix, toHung);
    await eventually('the hung receiver to hold two requests', async () => hung.inFlight() === 2);
    const toHealthy = Array.from({ length: 10 }, () => jobEvent(orgId, { webhookUrl: healthy.url }));
    await produce(prefix, toHealthy);
    await eventually('every delivery to the healthy receiver', async () => healthy.received.length === 10);
    for (const event of toHealthy) expect((await deliveriesOf(event.subjectId))[0]).toMatchObject({ status: 'delivered' });
    // Meanwhile the hung receiver answered nothing and never held more than its two slots.
    expect(hung.received.length).toBe(2);
    expect(hung.maxInFlight()).toBe(2);
    const hungAttempts = await handle.db
      .selectFrom('webhook_attempts')
      .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
      .select('webhook_attempts.id')
      .where('webhook_deliveries.url', '=', hung.url)
      .execute();
    expect(hungAttempts).toEqual([]);
  });

  it('delivers once when the queue holds duplicate and stale jobs of one delivery', async () => {
    const target = await receiver((_request, _index, response) => setTimeout(() => response.writeHead(200).end(), 100));
    const orgId = await newOrg();
    const event = jobEvent(orgId, { webhookUrl: target.url });
    await produce(undefined, [event]);
    const [row] = await deliveriesOf(event.subjectId);
    const prefix = uniquePrefix('wh');
    prefixes.push(prefix);
    // Duplicates as a replayed relay, a retried add or an older generation would leave them, all there before the service starts.
    const queue = new Queue(webhookQueueName, { connection: redis, prefix: bullmqPrefix(prefix, webhookQueueName) });
    const data = { deliveryId: row!.id, generation: 0, baseAttempts: 0 };
    await queue.addBulk([
      { name: 'deliver', data, opts: { jobId: 'duplicate-1' } },
      { name: 'deliver', data, opts: { jobId: 'duplicate-2' } },
      { name: 'deliver', data, opts: { jobId: 'duplicate-3' } },
      { name: 'deliver', data: { ...data, generation: 7 }, opts: { jobId: 'other-generation' } },
    ]);
    const config = loadConfig({ env: {}, overrides: { redis: { url: redisUrl, prefix }, encryptionKey, webhooks: { allow: [target.hostPort] } } });
    const webhooks = await startWebhooks({ config, db: handle.db, logger: createSilentLogger(), pollIntervalMs: 100 });
    running.push({ webhooks, prefix });
    await eventually('every job to finish', async () => {
      const counts = await queue.getJobCounts('completed', 'waiting', 'active', 'delayed', 'failed');
      return counts.completed === 5 && (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) + (counts.failed ?? 0) === 0;
    });
    await queue.close();
    expect(target.received).toHaveLength(1);
    expect((await deliveriesOf(event.subjectId))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await attemptsOf(row!.id)).toHaveLength(1);
  });
});
