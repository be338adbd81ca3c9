import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, getOrCreateOrgWebhookSecret, recordWebhookEvents, webhookEventId, type DbHandle, type WebhookEventInput } from '@switchyard/db';
import { webhookNudgeChannel } from '@switchyard/queue';
import { eventually } from '@switchyard/testing';
import { prepareProcessStack, waitForHttp, type ProcessStack, type ServiceProcess } from '../support/processes.ts';
import { startWebhookReceiver, verifiesWith, type WebhookReceiver } from '../support/webhook-receiver.ts';

// `switchyard webhooks` as its own OS process, SIGKILLed mid-delivery and replaced.
const encryptionKey = 'webhooks-crash-test-encryption-key';
let receiver: WebhookReceiver;
let stack: ProcessStack;
let handle: DbHandle;
let redis: Redis;
let orgId: string;

beforeAll(async () => {
  // Every answer takes a moment, so deliveries are in flight when the process dies.
  receiver = await startWebhookReceiver((_request, _index, response) => setTimeout(() => response.writeHead(200).end('ok'), 100));
  stack = await prepareProcessStack({
    env: { SWITCHYARD_WEBHOOK_ALLOW: receiver.hostPort, SWITCHYARD_WEBHOOK_RETRY_SCHEDULE: '0.2,0.5,1,2,5', SWITCHYARD_ENCRYPTION_KEY: encryptionKey },
    // Short locks and leases, so a dead process's deliveries come back in a few seconds.
    configYaml: 'worker:\n  lockDurationMs: 1000\n  stalledIntervalMs: 500\nwebhooks:\n  timeoutMs: 2000\n  perDestinationConcurrency: 16\n',
  });
  handle = await createDb({ url: stack.env.DATABASE_URL! });
  redis = new Redis(stack.redisUrl);
  orgId = (await handle.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow()).id;
}, 60_000);

afterAll(async () => {
  await redis?.quit();
  await handle?.close();
  await stack?.stop();
  await receiver?.close();
});

/** What the ledger does: events and deliveries in one transaction, then the nudge. */
async function produce(count: number, label: string): Promise<string[]> {
  const events: WebhookEventInput[] = Array.from({ length: count }, (_, index) => {
    const subjectId = `req_${label}_${index}_${randomBytes(4).toString('hex')}`;
    return { orgId, type: 'job.completed', subjectId, data: { id: subjectId }, webhookUrl: receiver.url };
  });
  await handle.db.transaction().execute((transaction) => recordWebhookEvents(transaction, events));
  await redis.publish(webhookNudgeChannel(stack.env.SWITCHYARD_REDIS_PREFIX!), '1');
  const rows = await handle.db
    .selectFrom('webhook_deliveries')
    .select('event_id')
    .where(
      'subject_id',
      'in',
      events.map((event) => event.subjectId),
    )
    .execute();
  return rows.map((row) => row.event_id);
}

describe('webhooks crash safety', () => {
  it('delivers every event at least once, one distinct webhook-id each, across a SIGKILL mid-delivery', async () => {
    const first: ServiceProcess = stack.start(['webhooks']);
    const eventIds = [...(await produce(150, 'before')), ...(await produce(150, 'during'))];
    await eventually('deliveries to be under way', async () => {
      if (first.child.exitCode !== null) throw new Error(`the webhooks process exited early:\n${first.output()}`);
      return receiver.received.length >= 40;
    });
    await first.stop('SIGKILL');
    const seenAtKill = receiver.received.length;
    // Produced while no webhooks process runs: they wait in the outbox.
    eventIds.push(...(await produce(100, 'after')));
    const second = stack.start(['webhooks']);

    await eventually(
      'every event to arrive',
      async () => {
        if (second.child.exitCode !== null) throw new Error(`the replacement exited:\n${second.output()}`);
        return new Set(receiver.received.map((request) => request.headers['webhook-id'])).size >= eventIds.length;
      },
      { timeoutMs: 60_000 },
    );
    expect(seenAtKill).toBeLessThan(eventIds.length);
    const distinct = new Set(receiver.received.map((request) => request.headers['webhook-id']));
    expect(distinct).toEqual(new Set(eventIds));
    const secret = await getOrCreateOrgWebhookSecret(handle.db, orgId, encryptionKey);
    expect(receiver.received.every((request) => verifiesWith(secret, request))).toBe(true);
    // One body per webhook-id, however often it was sent.
    const bodies = new Map<string, Set<string>>();
    for (const request of receiver.received)
      bodies.set(request.headers['webhook-id']!, (bodies.get(request.headers['webhook-id']!) ?? new Set()).add(request.body));
    expect([...bodies.values()].every((set) => set.size === 1)).toBe(true);
    await eventually('every delivery row to be delivered', async () => {
      const open = await handle.db.selectFrom('webhook_deliveries').select('id').where('status', '!=', 'delivered').execute();
      return open.length === 0;
    });
  }, 120_000);

  it('loses no job event through api, worker, ledger and webhooks processes when the ledger and then webhooks are SIGKILLed', async () => {
    const api = stack.start(['api']);
    stack.start(['worker', '--provider', 'mock', '--concurrency', '32']);
    let ledger = stack.start(['ledger']);
    let webhooks = stack.start(['webhooks']);
    await waitForHttp(`${stack.url}/health`, api);

    const createJobs = (count: number) =>
      Promise.all(
        Array.from({ length: count }, async () => {
          const response = await fetch(`${stack.url}/v1/jobs`, {
            method: 'POST',
            headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              endpoint: '/v1/chat/completions',
              body: { model: 'mock-fast', messages: [{ role: 'user', content: 'hello' }] },
              webhook_url: receiver.url,
            }),
          });
          expect(response.status).toBe(202);
          return ((await response.json()) as { id: string }).id;
        }),
      );
    const arrivedFor = (jobIds: string[]) => {
      const expected = new Set(jobIds.map((id) => webhookEventId('job.completed', id)));
      return new Set(receiver.received.map((request) => request.headers['webhook-id']).filter((id) => expected.has(id!))).size;
    };

    const jobIds = await createJobs(60);
    // The ledger dies while it writes finished jobs and their events (some committed, some not).
    await eventually('the first events to arrive', async () => arrivedFor(jobIds) >= 5);
    await ledger.stop('SIGKILL');
    // Jobs finish while no ledger runs: their entries wait in the ledger stream.
    jobIds.push(...(await createJobs(60)));
    ledger = stack.start(['ledger']);
    jobIds.push(...(await createJobs(60)));
    await eventually('more events to arrive', async () => arrivedFor(jobIds) >= 70);
    await webhooks.stop('SIGKILL');
    webhooks = stack.start(['webhooks']);

    await eventually(
      'an event for every job',
      async () => {
        for (const service of [ledger, webhooks]) if (service.child.exitCode !== null) throw new Error(`a process exited:\n${service.output()}`);
        return arrivedFor(jobIds) === jobIds.length;
      },
      // The killed ledger's unacknowledged entries are taken over after 30 s idle.
      { timeoutMs: 120_000 },
    );
    // Exactly one distinct webhook-id per job, whatever was sent twice: every request about these jobs carries its job's event id.
    const byJob = new Map<string, Set<string>>();
    for (const request of receiver.received) {
      const subject = (JSON.parse(request.body) as { data: { id: string } }).data.id;
      if (!jobIds.includes(subject)) continue;
      byJob.set(subject, (byJob.get(subject) ?? new Set()).add(request.headers['webhook-id']!));
    }
    expect(byJob.size).toBe(jobIds.length);
    for (const [jobId, ids] of byJob) expect([...ids]).toEqual([webhookEventId('job.completed', jobId)]);
    const secret = await getOrCreateOrgWebhookSecret(handle.db, orgId, encryptionKey);
    expect(
      receiver.received
        .filter((request) => byJob.has((JSON.parse(request.body) as { data: { id: string } }).data.id))
        .every((request) => verifiesWith(secret, request)),
    ).toBe(true);
  }, 200_000);
});
