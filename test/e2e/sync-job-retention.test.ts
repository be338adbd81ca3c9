// An answered sync request's job leaves BullMQ as it completes, not after the day async jobs
// are kept: its caller has the reply. Its record stays readable at `GET /v1/jobs/{id}` at
// once (a short-lived key until the ledger has written it) and from Postgres for good.
import { expect, it } from 'vitest';
import { answeredJobKey, bullmqPrefix, inferenceQueueName } from '@switchyard/queue';
import { eventually } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const gateway = useGateway();

const queueName = inferenceQueueName('mock');
const jobKey = (requestId: string) => `${bullmqPrefix(gateway.prefix, queueName)}:${queueName}:${requestId}`;

async function chat(content: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'mock-fast', messages: [{ role: 'user', content }] }),
  });
}

async function job(requestId: string): Promise<{ status?: string; output?: unknown }> {
  const response = await fetch(`${gateway.url}/v1/jobs/${requestId}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
  return (await response.json()) as { status?: string; output?: unknown };
}

it('drops an answered sync job from Redis at once and serves it from the ledger, while an async job stays', async () => {
  const queued = await chat('kept for the day', { prefer: 'respond-async' });
  expect(queued.status).toBe(202);
  const asyncId = ((await queued.json()) as { id: string }).id;
  await eventually('the async job to finish', async () => (await job(asyncId)).status === 'completed');

  const sync = await chat('answered, then gone from Redis');
  expect(sync.status).toBe(200);
  const answer = (await sync.json()) as { choices: Array<{ message: { content: string } }> };
  const syncId = sync.headers.get('x-request-id')!;
  // The worker publishes the reply before BullMQ records the job as done (and drops it).
  await eventually('the answered sync job to leave BullMQ', async () => (await gateway.redis.exists(jobKey(syncId))) === 0);
  expect(await gateway.redis.exists(jobKey(asyncId))).toBe(1);

  // Read at once, before the ledger may have written it.
  const atOnce = await job(syncId);
  expect(atOnce.status).toBe('completed');
  expect(JSON.stringify(atOnce.output)).toContain(answer.choices[0]!.message.content);

  // Without the short-lived record, Postgres answers once the ledger has written the job.
  await eventually(
    'the ledger to record the sync job',
    async () => (await gateway.db.selectFrom('jobs').select('id').where('id', '=', syncId).executeTakeFirst()) !== undefined,
  );
  await gateway.redis.del(answeredJobKey(gateway.prefix, syncId));
  const fromLedger = await job(syncId);
  expect(fromLedger.status).toBe('completed');
  expect(JSON.stringify(fromLedger.output)).toContain(answer.choices[0]!.message.content);
});
