// `Idempotency-Key` held across api processes: two api instances share one Redis, so the
// same key sent to both while the first request runs gets 409 idempotency_key_in_use from
// one of them, the upstream is called once, and either api replays the stored answer.
import { createHash, randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotencyRecordKey } from '@switchyard/queue';
import { eventually } from '@switchyard/testing';
import { useSecondApi } from '../support/second-api.ts';
import { useGateway } from '../support/use-gateway.ts';

const upstreamKey = 'sk-upstream-idempotency-two-0123456789';
/** The slow model: its upstream answers after this long, so a request is in flight meanwhile. */
const slowModel = 'gpt-4-turbo';
const upstreamLatencyMs = 1500;

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: upstreamKey } },
  overrides: ({ openai }) => ({ providers: { openai: { apiKey: upstreamKey, baseUrl: openai.url, attempts: 1 } } }),
});
const upstream = gateway.upstreams.openai;
/** The two api processes' base URLs. */
const apis = useSecondApi(gateway);

afterEach(() => gateway.resetUpstreams());

type Answer = { status: number; headers: Headers; text: string; body: any };

async function post(api: string, path: string, body: unknown, key: string, signal?: AbortSignal): Promise<Answer> {
  const response = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}

const callsWith = (marker: string) => upstream.requests.filter((request) => JSON.stringify(request.body).includes(marker)).length;
const slowChat = (content: string) => ({ model: slowModel, messages: [{ role: 'user', content }] });
const newKey = () => `key-${randomUUID()}`;
const recordKey = (route: string, key: string) => idempotencyRecordKey(gateway.prefix, gateway.orgId, route, createHash('sha256').update(key).digest('hex'));

describe('the same key on two api processes at once', () => {
  it('runs once: one answers 200, the other 409 idempotency_key_in_use with Retry-After; both then replay the answer', async () => {
    upstream.behave(slowModel, { latencyMs: upstreamLatencyMs });
    const marker = `concurrent-${randomUUID()}`;
    const key = newKey();
    const answers = await Promise.all(apis.map((api) => post(api, '/v1/chat/completions', slowChat(marker), key)));
    const byStatus = [...answers].sort((a, b) => a.status - b.status);
    expect(byStatus.map((answer) => answer.status)).toEqual([200, 409]);
    const [served, busy] = byStatus as [Answer, Answer];
    expect(busy.body.error).toMatchObject({ code: 'idempotency_key_in_use', type: 'idempotency_error', param: 'Idempotency-Key' });
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(busy.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(callsWith(marker)).toBe(1);

    for (const api of apis) {
      const replayed = await post(api, '/v1/chat/completions', slowChat(marker), key);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(replayed.text).toBe(served.text);
    }
    expect(callsWith(marker)).toBe(1);
  });

  it('answers 409 in the Anthropic envelope on /v1/messages, and 422 for another body while the first runs', async () => {
    upstream.behave(slowModel, { latencyMs: upstreamLatencyMs });
    const marker = `in-flight-${randomUUID()}`;
    const key = newKey();
    const body = { model: slowModel, max_tokens: 100, messages: [{ role: 'user', content: marker }] };
    const first = post(apis[0], '/v1/messages', body, key);
    await eventually('the first request to reach the upstream', () => callsWith(marker) === 1);

    const busy = await post(apis[1], '/v1/messages', body, key);
    expect(busy.status).toBe(409);
    expect(busy.body).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('in progress') } });
    expect(busy.headers.get('retry-after')).not.toBeNull();

    // The claim is bounded: longer than the sync deadline, so only a crashed api lets it lapse early.
    const claimMs = await gateway.redis.pttl(recordKey('/v1/messages', key));
    expect(claimMs).toBeGreaterThan(gateway.config.server.syncTimeoutMs);
    expect(claimMs).toBeLessThanOrEqual(gateway.config.server.syncTimeoutMs + 1000 + 60_000);

    const other = await post(apis[1], '/v1/messages', { ...body, max_tokens: 101 }, key);
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('error');

    expect((await first).status).toBe(200);
    expect(callsWith(marker)).toBe(1);
  });

  it('the openai SDK, retrying its 409 after retry-after-ms, gets the first answer from the other api', async () => {
    upstream.behave(slowModel, { latencyMs: upstreamLatencyMs });
    const marker = `sdk-retry-${randomUUID()}`;
    const key = newKey();
    const first = post(apis[0], '/v1/chat/completions', slowChat(marker), key);
    await eventually('the first request to reach the upstream', () => callsWith(marker) === 1);

    const retrying = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${apis[1]}/v1`, maxRetries: 10 });
    const { data, response } = await retrying.chat.completions
      .create({ model: slowModel, messages: [{ role: 'user', content: marker }] }, { headers: { 'Idempotency-Key': key } })
      .withResponse();
    expect(response.headers.get('idempotent-replayed')).toBe('true');
    expect(data).toEqual((await first).body);
    expect(callsWith(marker)).toBe(1);
  });

  it('a job created on one api is replayed by the other with the same job id', async () => {
    const marker = `job-${randomUUID()}`;
    const key = newKey();
    const job = { endpoint: '/v1/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: marker }] } };
    const created = await post(apis[0], '/v1/jobs', job, key);
    const replayed = await post(apis[1], '/v1/jobs', job, key);
    expect([created.status, replayed.status]).toEqual([202, 202]);
    expect(replayed.body.id).toBe(created.body.id);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('a client that leaves', () => {
  it('releases the key, so its retry runs again on the other api', async () => {
    upstream.behave(slowModel, { latencyMs: upstreamLatencyMs });
    const marker = `gone-${randomUUID()}`;
    const key = newKey();
    const abort = new AbortController();
    const left = post(apis[0], '/v1/chat/completions', slowChat(marker), key, abort.signal).catch((error: unknown) => error);
    await eventually('the request to reach the upstream', () => callsWith(marker) === 1);
    abort.abort();
    expect(await left).toBeInstanceOf(Error);
    await eventually('the key to be released', async () => (await gateway.redis.exists(recordKey('/v1/chat/completions', key))) === 0);

    const retried = await post(apis[1], '/v1/chat/completions', slowChat(marker), key);
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(callsWith(marker)).toBe(2);
  });
});
