import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { queueChatBacklog } from '../support/jobs.ts';
import { useGateway } from '../support/use-gateway.ts';

const concurrency = 4;

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai' } },
  overrides: ({ openai }) => ({ providers: { openai: { apiKey: 'sk-upstream', baseUrl: openai.url, maxQueueDepth: 30 } } }),
  workerOptions: { concurrency },
});
const upstream = gateway.upstreams.openai;

beforeAll(() => upstream.behave('gpt-4o-mini', { latencyMs: 20 }));

// Runs before the gateway's own afterAll, which stops the workers.
afterAll(async () => {
  await gateway.api.context.queues.get('openai').obliterate({ force: true });
});

const upstreamCallsFor = (text: string) =>
  upstream.requests.findIndex((request) => JSON.stringify((request.body as { messages?: unknown }).messages ?? '').includes(text));

async function chat(content: string) {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
  });
}

/** When BullMQ added the job: the time part of its `added` event's stream id (the newest events are read). */
async function enqueueTimeOf(eventsKey: string, jobId: string): Promise<number> {
  const events = await gateway.redis.xrevrange(eventsKey, '+', '-', 'COUNT', 5000);
  const added = events.find(([, fields]) => fields[1] === 'added' && fields[3] === jobId);
  if (!added) throw new Error(`no added event for ${jobId} in the newest 5,000 events`);
  return Number(added[0].split('-')[0]);
}

describe('priority lanes', () => {
  it('serves a sync request ahead of a 5,000-line batch backlog: next free slot, not the back of the queue', async () => {
    const queue = gateway.api.context.queues.get('openai');
    await queueChatBacklog(queue, { orgId: gateway.orgId, provider: 'openai', model: 'gpt-4o-mini', mode: 'batch', count: 5000, label: 'backlog' });
    await eventually('the workers to start on the backlog', () => upstream.requests.length >= 20);

    try {
      const response = await chat('the urgent chat question');
      expect(response.status).toBe(200);
      const position = upstreamCallsFor('the urgent chat question');
      expect(position).toBeGreaterThanOrEqual(0);
      // Only the calls already running on the worker's slots (plus one that was being
      // fetched) may reach the upstream between the request's enqueue and its own call;
      // the backlog behind it may not. Counted from the enqueue, so a slow machine that
      // takes long to get the request to the queue cannot fail it.
      // A sync job leaves Redis as it is answered: its enqueue time is the id of its `added` event.
      const enqueuedAt = await enqueueTimeOf(queue.keys.events!, response.headers.get('x-job-id')!);
      const overtaking = upstream.requests.slice(0, position).filter((request) => request.receivedAt > enqueuedAt);
      expect(overtaking.length).toBeLessThanOrEqual(concurrency + 1);
      expect(upstream.requests.length).toBeLessThan(5000);
    } finally {
      await queue.drain(true);
    }
  }, 60_000);
});

describe('backpressure', () => {
  it('answers 429 queue_full with a plausible Retry-After once the lane is deeper than the limit', async () => {
    const queue = gateway.api.context.queues.get('openai');
    // Start from a sample taken after the previous test drained its backlog.
    await eventually('a depth sample with the lane empty', () => (gateway.api.context.backpressure.load('openai')?.waitingAll ?? 0) === 0);
    upstream.behave('gpt-4o-mini', { latencyMs: 100 });
    await queueChatBacklog(queue, { orgId: gateway.orgId, provider: 'openai', model: 'gpt-4o-mini', mode: 'async', count: 200, label: 'backlog' });

    // The api samples depth and throughput on a timer: poll until it refuses.
    const refused: Response | undefined = await eventually(
      'the api to refuse a job on the deep lane',
      async () => {
        const response = await fetch(`${gateway.url}/v1/jobs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ endpoint: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one more' }] } }),
        });
        return response.status === 429 && response;
      },
      { intervalMs: 100 },
    );
    expect(refused).toBeDefined();
    const body = (await refused!.json()) as { error: { code: string; type: string } };
    expect(body.error).toMatchObject({ code: 'queue_full', type: 'rate_limit_error' });
    // About (waiting beyond the limit) / (completions per second): with ~40 completions/s
    // and ~170 over the limit that is a few seconds, never zero and never minutes.
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(Number(refused!.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    // Sync chat jumps the async lane, so it is still admitted.
    expect((await chat('still welcome')).status).toBe(200);
    await queue.drain(true);
  }, 60_000);
});
