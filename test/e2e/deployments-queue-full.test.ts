// A deployment whose queue is full passes the request on to the model's next deployment
// instead of answering 429; a model with nowhere else to go still answers 429 queue_full.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { queueChatBacklog } from '../support/jobs.ts';
import { useGateway } from '../support/use-gateway.ts';

const maxQueueDepth = 5;

const gateway = useGateway({
  upstreams: { east: { kind: 'openai' }, west: { kind: 'openai' } },
  overrides: (upstreams) => ({
    providers: {
      east: { kind: 'openai-compatible', apiKey: 'sk-east', baseUrl: upstreams.east.url, attempts: 1, maxQueueDepth },
      west: { kind: 'openai-compatible', apiKey: 'sk-west', baseUrl: upstreams.west.url, attempts: 1 },
    },
    models: {
      dual: {
        strategy: 'priority',
        deployments: [
          { provider: 'east', upstreamModel: 'dual-east', priority: 0 },
          { provider: 'west', upstreamModel: 'dual-west', priority: 1 },
        ],
      },
      solo: { provider: 'east', upstreamModel: 'solo-east' },
    },
  }),
  // One call at a time per provider, so a slow east keeps its backlog.
  workerOptions: { concurrency: 1 },
});

async function ask(model: string) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const callsTo = (name: 'east' | 'west', model: string) =>
  gateway.upstreams[name].requests.filter((request) => (request.body as { model?: string })?.model === model).length;

beforeAll(async () => {
  gateway.upstreams.east.behave('solo-east', { latencyMs: 5000 });
  const queue = gateway.api.context.queues.get('east');
  // Sync jobs already waiting on east's queue (no one listens for them).
  await queueChatBacklog(queue, {
    orgId: gateway.orgId,
    provider: 'east',
    model: 'solo',
    upstreamModel: 'solo-east',
    mode: 'sync',
    count: 20,
    label: 'eastbacklog',
  });
  // The api samples queue depth on a timer.
  await eventually('a depth sample of the full east queue', () => (gateway.api.context.backpressure.load('east')?.waitingSync ?? 0) >= maxQueueDepth);
});

// Runs before the gateway's own afterAll, which stops the workers.
afterAll(async () => {
  await gateway.api.context.queues.get('east').obliterate({ force: true });
});

describe('a deployment with a full queue', () => {
  it("is passed over for the model's next deployment, which answers", async () => {
    const answer = await ask('dual');
    expect(answer.status).toBe(200);
    expect(callsTo('west', 'dual-west')).toBe(1);
    expect(callsTo('east', 'dual-east')).toBe(0);
  });

  it('still answers 429 queue_full, with when to retry, for a model that has no other deployment', async () => {
    const answer = await ask('solo');
    expect(answer.status).toBe(429);
    expect(answer.body.error).toMatchObject({ code: 'queue_full', type: 'rate_limit_error' });
  });
});
