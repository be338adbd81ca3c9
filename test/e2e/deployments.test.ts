// One catalog model served by several deployments (two mock upstreams as two providers):
// weighted spread, an open breaker shifting traffic to the other deployment before the
// fallback model, a forced pin, and what GET /v1/models/{id} and /v1/health show.
import { describe, expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

// Long cool-down: east's breaker, once open, stays open for the rest of the file.
const breaker = { failureThreshold: 2, windowMs: 60_000, openMs: 600_000 };

const gateway = useGateway({
  upstreams: { east: { kind: 'openai' }, west: { kind: 'openai' }, spare: { kind: 'openai' } },
  overrides: (upstreams) => ({
    providers: {
      east: { kind: 'openai-compatible', apiKey: 'sk-east', baseUrl: upstreams.east.url, attempts: 1, breaker },
      west: { kind: 'openai-compatible', apiKey: 'sk-west', baseUrl: upstreams.west.url, attempts: 1, breaker },
      spare: { kind: 'openai-compatible', apiKey: 'sk-spare', baseUrl: upstreams.spare.url, attempts: 1, breaker },
    },
    models: {
      shared: {
        deployments: [
          { provider: 'east', upstreamModel: 'shared-east', weight: 3 },
          { provider: 'west', upstreamModel: 'shared-west', weight: 1 },
        ],
        fallbacks: ['backup'],
      },
      backup: { provider: 'spare' },
      pinned: {
        deployments: [
          { provider: 'east', upstreamModel: 'pinned-east', weight: 100 },
          { provider: 'west', upstreamModel: 'pinned-west', weight: 1 },
        ],
        forced: 'west',
      },
      ranked: {
        strategy: 'priority',
        deployments: [
          { provider: 'east', upstreamModel: 'ranked-east', priority: 5, weight: 100 },
          { provider: 'west', upstreamModel: 'ranked-west', priority: 1 },
        ],
      },
    },
  }),
});

const callsTo = (name: 'east' | 'west' | 'spare', model: string) =>
  gateway.upstreams[name].requests.filter((request) => (request.body as { model?: string })?.model === model).length;

/** A chat call over plain HTTP, so the headers can be read. */
async function ask(model: string) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
  return { status: response.status, servedAs: response.headers.get('x-switchyard-model'), body: (await response.json()) as Record<string, any> };
}

async function askMany(model: string, count: number, batch = 10) {
  const answers: Awaited<ReturnType<typeof ask>>[] = [];
  for (let start = 0; start < count; start += batch) {
    answers.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - start) }, () => ask(model)))));
  }
  return answers;
}

const getJson = async (path: string) => {
  const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

describe('several deployments per model', () => {
  it('spreads requests 3:1 by weight and reports the catalog model', async () => {
    const answers = await askMany('shared', 200);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(new Set(answers.map((answer) => answer.servedAs))).toEqual(new Set(['shared']));
    const east = callsTo('east', 'shared-east');
    const west = callsTo('west', 'shared-west');
    expect(east + west).toBe(200);
    // Expected 150 of 200 on east (standard deviation about 6.1): a band of about 5 sigma.
    expect(east).toBeGreaterThan(119);
    expect(east).toBeLessThan(181);
    expect(callsTo('spare', 'backup')).toBe(0);
  });

  it('pins a forced model to its one deployment whatever the weights', async () => {
    const answers = await askMany('pinned', 20);
    expect(answers.every((answer) => answer.status === 200 && answer.servedAs === 'pinned')).toBe(true);
    expect(callsTo('west', 'pinned-west')).toBe(20);
    expect(callsTo('east', 'pinned-east')).toBe(0);
  });

  it('tries the lowest priority first under strategy priority', async () => {
    const answers = await askMany('ranked', 10);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(callsTo('west', 'ranked-west')).toBe(10);
    expect(callsTo('east', 'ranked-east')).toBe(0);
  });

  it('shifts traffic to the other deployment when one fails and its breaker opens, before the fallback model', async () => {
    gateway.upstreams.east.behave('shared-east', { status: 500 });
    const westBefore = callsTo('west', 'shared-west');
    // Failing calls on east forward to west (the next deployment), until east's breaker opens.
    const answers = await askMany('shared', 40);
    expect(answers.every((answer) => answer.status === 200 && answer.servedAs === 'shared')).toBe(true);
    expect(callsTo('west', 'shared-west') - westBefore).toBe(40);
    expect(callsTo('spare', 'backup')).toBe(0);
    const health = await eventually("east's shared deployment breaker open", async () => {
      const reply = await getJson('/v1/health');
      return reply.body.providers?.east?.models?.['shared-east']?.breaker === 'open' && reply;
    });
    expect(health.body.providers.west.models['shared-west']).toEqual({ breaker: 'closed' });
    expect(health.body.providers.east.models['pinned-east']).toBeUndefined();

    // With east open, the api starts every request on west: east is not called again.
    const eastCalls = callsTo('east', 'shared-east');
    await askMany('shared', 20);
    expect(callsTo('east', 'shared-east')).toBe(eastCalls);

    // Only when every deployment of the model fails does the fallback model answer.
    gateway.upstreams.west.behave('shared-west', { status: 500 });
    const fallen = await ask('shared');
    expect(fallen.status).toBe(200);
    expect(fallen.servedAs).toBe('backup');
    expect(callsTo('spare', 'backup')).toBe(1);
  });

  it('lists the deployments in GET /v1/models/{id}', async () => {
    const { status, body } = await getJson('/v1/models/shared');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'shared', owned_by: 'east', available: true, fallbacks: ['backup'] });
    expect(body.routing).toEqual({
      strategy: 'weighted',
      deployments: [
        { provider: 'east', upstream_model: 'shared-east', weight: 3, priority: 0, available: true },
        { provider: 'west', upstream_model: 'shared-west', weight: 1, priority: 0, available: true },
      ],
    });
    const pinned = await getJson('/v1/models/pinned');
    expect(pinned.body.routing).toMatchObject({
      forced: 1,
      deployments: [
        { provider: 'east', forced: false },
        { provider: 'west', forced: true },
      ],
    });
  });
});
