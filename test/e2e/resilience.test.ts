import { describe, expect, it } from 'vitest';
import { eventually, type MockUpstream } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const breaker = { failureThreshold: 3, windowMs: 60_000, openMs: 1500 };

const gateway = useGateway({
  upstreams: { primary: { kind: 'openai' }, backup: { kind: 'openai' } },
  overrides: ({ primary, backup }) => ({
    providers: {
      openai: { apiKey: 'sk-primary', baseUrl: primary.url, attempts: 1, breaker },
      backup: { kind: 'openai-compatible', apiKey: 'sk-backup', baseUrl: backup.url, attempts: 1, breaker },
      limited: { kind: 'openai-compatible', apiKey: 'sk-limited', baseUrl: backup.url, attempts: 3 },
      doomed: { kind: 'openai-compatible', apiKey: 'sk-doomed', baseUrl: primary.url, attempts: 1, breaker },
      doomed2: { kind: 'openai-compatible', apiKey: 'sk-doomed', baseUrl: backup.url, attempts: 1, breaker },
    },
    models: {
      'primary-model': { provider: 'openai', fallbacks: ['backup-model'] },
      'backup-model': { provider: 'backup' },
      'limited-model': { provider: 'limited' },
      'doomed-model': { provider: 'doomed', fallbacks: ['doomed2-model'] },
      'doomed2-model': { provider: 'doomed2' },
    },
  }),
});
const { primary, backup } = gateway.upstreams;

async function chat(model: string, content = 'hello') {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  const body = (await response.json()) as { error?: { code: string; type: string; message: string } };
  return { status: response.status, body, headers: response.headers };
}

/** The breaker of one deployment (provider + upstream model) as /v1/health shows it. */
async function breakerState(provider: string, model: string): Promise<string | undefined> {
  const response = await fetch(`${gateway.url}/v1/health`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
  const body = (await response.json()) as { providers: Record<string, { models: Record<string, { breaker: string }> }> };
  return body.providers[provider]!.models[model]?.breaker;
}

const breakerIs = (provider: string, model: string, state: string) => async () => (await breakerState(provider, model)) === state && state;

const callsTo = (upstream: MockUpstream, model: string) => upstream.requests.filter((request) => (request.body as { model?: string })?.model === model).length;

describe('fallback and circuit breakers', () => {
  it('serves a request whose primary answers 500 from the fallback, and the headers say so', async () => {
    primary.behave('primary-model', { status: 500 });
    const answer = await chat('primary-model');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-switchyard-provider')).toBe('backup');
    expect(answer.headers.get('x-switchyard-model')).toBe('backup-model');
    expect(answer.headers.get('x-switchyard-attempts')).toBe('2');
    expect(callsTo(primary, 'primary-model')).toBe(1);
    const job = await (
      await fetch(`${gateway.url}/v1/jobs/${answer.headers.get('x-job-id')}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } })
    ).json();
    expect(job).toMatchObject({ status: 'completed', provider: 'backup', served_model: 'backup-model', attempts: 2 });
  });

  it('opens the breaker after the threshold; later requests skip the failing route without touching it', async () => {
    await chat('primary-model');
    await chat('primary-model');
    expect(callsTo(primary, 'primary-model')).toBe(3);
    await eventually('the openai breaker open', breakerIs('openai', 'primary-model', 'open'));
    for (let index = 0; index < 5; index++) {
      const answer = await chat('primary-model');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-switchyard-provider')).toBe('backup');
    }
    expect(callsTo(primary, 'primary-model')).toBe(3);
  });

  it('lets a probe through after the cool-down and closes again once the upstream recovered', async () => {
    primary.behave('primary-model', {});
    // Each try is a real request: keep the pace at one every 50 ms.
    const served = await eventually(
      'a request served by the recovered primary',
      async () => {
        const answer = await chat('primary-model');
        return answer.headers.get('x-switchyard-provider') === 'openai' && answer;
      },
      { intervalMs: 50 },
    );
    expect(served.status).toBe(200);
    expect(await eventually('the openai breaker closed', breakerIs('openai', 'primary-model', 'closed'))).toBe('closed');
    expect((await chat('primary-model')).headers.get('x-switchyard-provider')).toBe('openai');
  });

  it('answers 503 provider_unavailable when the whole chain is down, and at once while its breakers are open', async () => {
    primary.behave('doomed-model', { status: 500 });
    backup.behave('doomed2-model', { status: 503 });
    const first = await chat('doomed-model');
    expect(first.status).toBe(503);
    expect(first.body.error).toMatchObject({ code: 'provider_unavailable', type: 'overloaded' });
    expect(first.headers.get('retry-after')).not.toBeNull();
    await chat('doomed-model');
    await chat('doomed-model');
    await eventually('both breakers open', breakerIs('doomed2', 'doomed2-model', 'open'));
    const callsBefore = callsTo(primary, 'doomed-model') + callsTo(backup, 'doomed2-model');
    const refused = await chat('doomed-model');
    expect(refused.status).toBe(503);
    expect(refused.body.error?.code).toBe('provider_unavailable');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Answered by the api from the breakers, without queueing or calling anyone.
    expect(callsTo(primary, 'doomed-model') + callsTo(backup, 'doomed2-model')).toBe(callsBefore);
  });
});

describe('upstream rate limits', () => {
  it('pauses the provider for retry-after on a 429 and retries without spending an attempt', async () => {
    backup.behave('limited-model', { status: 429, retryAfterSeconds: 2, failTimes: 1 });
    const answer = await chat('limited-model', 'patience');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-switchyard-attempts')).toBe('1');
    const calls = backup.requests.filter((request) => (request.body as { model?: string })?.model === 'limited-model');
    expect(calls).toHaveLength(2);
    // Not a speed check: the retry may not come before the advised pause has passed.
    expect(calls[1]!.receivedAt - calls[0]!.receivedAt).toBeGreaterThanOrEqual(1900);
  });
});
