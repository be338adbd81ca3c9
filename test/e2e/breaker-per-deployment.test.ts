import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { openAIClient } from '../support/clients.ts';
import { adminKey, startTestGateway, type TestGateway } from '../support/gateway.ts';

let upstream: MockUpstream;
let gateway: TestGateway;
let client: OpenAI;

// Long cool-down: the sick model's breaker stays open for the whole file.
const breaker = { failureThreshold: 2, windowMs: 60_000, openMs: 600_000 };

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
  gateway = await startTestGateway({
    overrides: {
      providers: { shared: { kind: 'openai-compatible', apiKey: 'sk-shared', baseUrl: upstream.url, attempts: 1, breaker } },
      models: {
        'sick-model': { provider: 'shared' },
        // Breakers are per upstream model: this one shows as `well-upstream` below.
        'well-model': { provider: 'shared', upstreamModel: 'well-upstream' },
      },
    },
  });
  client = openAIClient(gateway);
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] });
const callsTo = (model: string) => upstream.requests.filter((request) => (request.body as { model?: string })?.model === model).length;

async function get(path: string, key: string) {
  const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as Record<string, any>,
  };
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  for (let tries = 0; tries < 200; tries++) {
    const value = await probe();
    if (accept(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never saw ${what}`);
}

describe('circuit breakers per deployment', () => {
  it("opens only the failing model's breaker; the provider's other model keeps serving", async () => {
    upstream.behave('sick-model', { status: 500 });
    for (let index = 0; index < breaker.failureThreshold; index++) {
      const failed = await ask('sick-model').catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(OpenAI.APIError);
      expect((failed as InstanceType<typeof OpenAI.APIError>).status).toBeGreaterThanOrEqual(500);
    }
    await eventually(
      () => get('/v1/health', gateway.apiKey),
      (health) => health.body.providers.shared.models['sick-model']?.breaker === 'open',
      "the sick model's breaker open",
    );

    // The open deployment is refused by the api without calling the upstream...
    const callsBefore = callsTo('sick-model');
    await expect(ask('sick-model')).rejects.toMatchObject({ status: 503, code: 'provider_unavailable' });
    expect(callsTo('sick-model')).toBe(callsBefore);

    // ...while the same provider's other model is still served by it.
    for (let index = 0; index < 3; index++) {
      const answer = await ask('well-model');
      expect(answer.choices[0]?.message.content).toContain('hello');
    }
    expect(callsTo('well-upstream')).toBe(3);
  });

  it('shows each {provider, model} breaker in /v1/health, /v1/admin/providers and /metrics', async () => {
    const health = await get('/v1/health', gateway.apiKey);
    // One model open, one closed: the provider still serves, so its overall breaker is closed and it is degraded.
    expect(health.body.providers.shared).toMatchObject({
      status: 'degraded',
      breaker: 'closed',
      models: { 'sick-model': { breaker: 'open' }, 'well-upstream': { breaker: 'closed' } },
    });
    expect(health.body.status).toBe('degraded');

    const admin = await get('/v1/admin/providers', adminKey);
    const shared = admin.body.data.find((provider: { name: string }) => provider.name === 'shared');
    expect(shared).toMatchObject({ breaker: 'closed', models: { 'sick-model': { breaker: 'open' }, 'well-upstream': { breaker: 'closed' } } });

    const metrics = await get('/metrics', gateway.apiKey);
    expect(metrics.text).toContain('switchyard_breaker_state{provider="shared",model="sick-model"} 2');
    expect(metrics.text).toContain('switchyard_breaker_state{provider="shared",model="well-upstream"} 0');
  });
});
