// The response cache end to end, through the official SDKs against a mock upstream that
// records its calls: a hit makes no upstream call (sync or streamed, in either format),
// no-cache and no-store behave as HTTP says, an org never gets another's entry, only
// deterministic requests are cached unless the model allows more, identical concurrent
// misses make one upstream call, and hits reach the ledger as zero-cost requests.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { anthropicClient, openAIClient } from '../support/clients.ts';
import { responseCacheDigest } from '@switchyard/api';
import { responseCacheEntryKey } from '@switchyard/queue';
import { eventually } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const upstreamKey = 'sk-upstream-response-cache-0123456789';

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: upstreamKey } },
  overrides: ({ openai }) => ({
    providers: { openai: { apiKey: upstreamKey, baseUrl: openai.url, attempts: 1 } },
    models: {
      // Cached for every request; gpt-4o-mini only when a request asks.
      'gpt-4o': { cache: { ttlSeconds: 60 } },
      'gpt-4.1': { provider: 'openai', upstreamModel: 'gpt-4.1', cache: { ttlSeconds: 60, allowNonDeterministic: true } },
    },
    aliases: { 'cached-chat': 'gpt-4o' },
  }),
});
const upstream = gateway.upstreams.openai;
const openai = gateway.openai;
const anthropic = gateway.anthropic;

afterEach(() => gateway.resetUpstreams());

/** Upstream calls whose body holds `marker` (each test marks its prompts). */
const callsWith = (marker: string) => upstream.requests.filter((request) => JSON.stringify(request.body).includes(marker)).length;
const question = (marker: string) => [{ role: 'user' as const, content: `say something about ${marker}` }];

async function post(path: string, body: unknown, headers: Record<string, string> = {}, apiKey = gateway.apiKey) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    cache: response.headers.get('x-switchyard-cache'),
    requestId: response.headers.get('x-request-id')!,
    text: await response.text(),
  };
}

describe('a cached model', () => {
  it('answers a repeated request from the cache with the same body, through the openai SDK', async () => {
    const marker = `hit-${randomUUID()}`;
    const body = { model: 'gpt-4o', temperature: 0, messages: question(marker) };
    const first = await openai.chat.completions.create(body).withResponse();
    const second = await openai.chat.completions.create(body).withResponse();
    expect(first.response.headers.get('x-switchyard-cache')).toBe('miss');
    expect(second.response.headers.get('x-switchyard-cache')).toBe('hit');
    // The stored body, and this answer's own `_proxy_info` (no attempt: nothing went upstream).
    const { _proxy_info: missInfo, ...missBody } = first.data as typeof first.data & { _proxy_info: Record<string, unknown> };
    const { _proxy_info: hitInfo, ...hitBody } = second.data as typeof second.data & { _proxy_info: Record<string, unknown> };
    expect(hitBody).toEqual(missBody);
    expect(missInfo).toMatchObject({ attempt_number: 1, request_id: first.response.headers.get('x-request-id') });
    expect(hitInfo).toMatchObject({ provider: missInfo.provider, attempt_number: 0, request_id: second.response.headers.get('x-request-id') });
    expect(second.response.headers.get('x-switchyard-model')).toBe(first.response.headers.get('x-switchyard-model'));
    expect(callsWith(marker)).toBe(1);
  });

  it('keys on the body, not its key order, and any other field makes a miss', async () => {
    const marker = `order-${randomUUID()}`;
    expect((await post('/v1/chat/completions', { model: 'gpt-4o', temperature: 0, messages: question(marker) })).cache).toBe('miss');
    expect((await post('/v1/chat/completions', { messages: question(marker), temperature: 0, model: 'gpt-4o' })).cache).toBe('hit');
    expect((await post('/v1/chat/completions', { model: 'gpt-4o', temperature: 0, max_tokens: 50, messages: question(marker) })).cache).toBe('miss');
    expect(callsWith(marker)).toBe(2);
  });

  it('replays a stored answer as a stream to the openai SDK, terminator included', async () => {
    const marker = `stream-${randomUUID()}`;
    const body = { model: 'gpt-4o', temperature: 0, messages: question(marker) };
    const stored = await openai.chat.completions.create(body);
    const { data: stream, response } = await openai.chat.completions.create({ ...body, stream: true }).withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(response.headers.get('x-switchyard-cache')).toBe('hit');
    expect(text).toBe(stored.choices[0]!.message.content);

    const raw = await post('/v1/chat/completions', { ...body, stream: true });
    expect(raw.cache).toBe('hit');
    expect(raw.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(callsWith(marker)).toBe(1);
  });

  it('serves a streamed miss to later non-streamed requests', async () => {
    const marker = `streamed-miss-${randomUUID()}`;
    const body = { model: 'gpt-4o', temperature: 0, messages: question(marker) };
    const entryKey = responseCacheEntryKey(
      gateway.prefix,
      responseCacheDigest({ orgId: gateway.orgId, endpoint: '/v1/chat/completions', modelId: 'gpt-4o', body }),
    );
    let text = '';
    for await (const chunk of await openai.chat.completions.create({ ...body, stream: true })) text += chunk.choices[0]?.delta.content ?? '';
    // The stream's entry is written once its job's result arrives, a moment after the terminator.
    await eventually('the streamed answer stored', async () => (await gateway.redis.exists(entryKey)) === 1);
    const { data, response } = await openai.chat.completions.create(body).withResponse();
    expect(response.headers.get('x-switchyard-cache')).toBe('hit');
    expect(data.choices[0]!.message.content).toBe(text);
    expect(callsWith(marker)).toBe(1);
  });

  it('answers Anthropic clients from the cache, non-stream and streamed', async () => {
    const marker = `anthropic-${randomUUID()}`;
    const body = { model: 'cached-chat', max_tokens: 100, temperature: 0, messages: question(marker) };
    const first = await anthropic.messages.create(body).withResponse();
    const second = await anthropic.messages.create(body).withResponse();
    const streamed = anthropic.messages.stream(body);
    const final = await streamed.finalMessage();
    expect(first.response.headers.get('x-switchyard-cache')).toBe('miss');
    expect(second.response.headers.get('x-switchyard-cache')).toBe('hit');
    expect(second.data).toEqual(first.data);
    expect(final.content).toEqual(first.data.content);
    expect(callsWith(marker)).toBe(1);
  });

  it('goes upstream on Cache-Control: no-cache and replaces the entry with the new answer', async () => {
    const marker = `no-cache-${randomUUID()}`;
    const body = { model: 'gpt-4o', temperature: 0, messages: question(marker) };
    upstream.behave('gpt-4o', { text: 'the first answer' });
    await post('/v1/chat/completions', body);
    upstream.behave('gpt-4o', { text: 'the second answer' });
    const fresh = await post('/v1/chat/completions', body, { 'cache-control': 'no-cache' });
    expect(fresh.cache).toBe('miss');
    expect(JSON.parse(fresh.text).choices[0].message.content).toBe('the second answer');
    const after = await post('/v1/chat/completions', body);
    expect(after.cache).toBe('hit');
    expect(JSON.parse(after.text).choices[0].message.content).toBe('the second answer');
    expect(callsWith(marker)).toBe(2);
  });

  it('neither reads nor writes on Cache-Control: no-store', async () => {
    const marker = `no-store-${randomUUID()}`;
    const body = { model: 'gpt-4o', temperature: 0, messages: question(marker) };
    const unstored = await post('/v1/chat/completions', body, { 'cache-control': 'no-store' });
    expect(unstored.status).toBe(200);
    expect(unstored.cache).toBeNull();
    expect((await post('/v1/chat/completions', body)).cache).toBe('miss');
    expect((await post('/v1/chat/completions', body, { 'cache-control': 'no-store' })).cache).toBeNull();
    expect(callsWith(marker)).toBe(3);
  });

  it('never answers one org with another org’s entry', async () => {
    const marker = `orgs-${randomUUID()}`;
    const other = await gateway.createTenant(`cache-other-${randomUUID()}`);
    const body = { model: 'gpt-4o', temperature: 0, messages: question(marker) };
    expect((await post('/v1/chat/completions', body)).cache).toBe('miss');
    const otherClient = openAIClient(gateway, other.apiKey);
    const { response } = await otherClient.chat.completions.create(body).withResponse();
    expect(response.headers.get('x-switchyard-cache')).toBe('miss');
    expect(
      (
        await anthropicClient(gateway, other.apiKey)
          .messages.create({ ...body, max_tokens: 100 })
          .withResponse()
      ).response.headers.get('x-switchyard-cache'),
    ).toBe('miss');
    expect(callsWith(marker)).toBe(3);
    expect((await post('/v1/chat/completions', body, {}, other.apiKey)).cache).toBe('hit');
    expect(callsWith(marker)).toBe(3);
  });

  it('coalesces identical concurrent misses into one upstream call', async () => {
    const marker = `coalesce-${randomUUID()}`;
    upstream.behave('gpt-4o', { latencyMs: 400 });
    const body = { model: 'gpt-4o', temperature: 0, messages: question(marker) };
    const answers = await Promise.all(Array.from({ length: 6 }, () => post('/v1/chat/completions', body)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200));
    expect(answers.filter((answer) => answer.cache === 'miss')).toHaveLength(1);
    expect(answers.filter((answer) => answer.cache === 'hit')).toHaveLength(5);
    expect(new Set(answers.map((answer) => JSON.parse(answer.text).choices[0].message.content)).size).toBe(1);
    expect(callsWith(marker)).toBe(1);
  });

  it('does not store an error answer', async () => {
    const marker = `error-${randomUUID()}`;
    upstream.behave('gpt-4o', { status: 400, errorMessage: 'refused', failTimes: 1 });
    const body = { model: 'gpt-4o', temperature: 0, messages: question(marker) };
    expect((await post('/v1/chat/completions', body)).status).toBe(400);
    const retried = await post('/v1/chat/completions', body);
    expect(retried).toMatchObject({ status: 200, cache: 'miss' });
    expect(callsWith(marker)).toBe(2);
  });
});

describe('the temperature rule', () => {
  it('leaves a request without temperature 0 alone on a model that does not allow it', async () => {
    const marker = `temperature-${randomUUID()}`;
    for (const temperature of [undefined, 0.7]) {
      const body = { model: 'gpt-4o', messages: question(marker), ...(temperature === undefined ? {} : { temperature }) };
      expect((await post('/v1/chat/completions', body)).cache).toBeNull();
      expect((await post('/v1/chat/completions', body)).cache).toBeNull();
    }
    expect(callsWith(marker)).toBe(4);
  });

  it('caches any temperature on a model with allowNonDeterministic', async () => {
    const marker = `nondeterministic-${randomUUID()}`;
    const body = { model: 'gpt-4.1', temperature: 1, messages: question(marker) };
    expect((await post('/v1/chat/completions', body)).cache).toBe('miss');
    expect((await post('/v1/chat/completions', body)).cache).toBe('hit');
    expect(callsWith(marker)).toBe(1);
  });

  it('caches one request of an uncached model on x-switchyard-cache: use, deterministic only', async () => {
    const marker = `per-request-${randomUUID()}`;
    const body = { model: 'gpt-4o-mini', temperature: 0, messages: question(marker) };
    expect((await post('/v1/chat/completions', body)).cache).toBeNull();
    expect((await post('/v1/chat/completions', body, { 'x-switchyard-cache': 'use' })).cache).toBe('miss');
    expect((await post('/v1/chat/completions', body, { 'x-switchyard-cache': 'use' })).cache).toBe('hit');
    expect((await post('/v1/chat/completions', { ...body, temperature: 0.5 }, { 'x-switchyard-cache': 'use' })).cache).toBeNull();
    expect(callsWith(marker)).toBe(3);
  });

  it('caches embeddings, which have no temperature', async () => {
    const marker = `embeddings-${randomUUID()}`;
    const body = { model: 'text-embedding-3-small', input: marker };
    const first = await post('/v1/embeddings', body, { 'x-switchyard-cache': 'use' });
    expect(first).toMatchObject({ status: 200, cache: 'miss' });
    const second = await post('/v1/embeddings', body, { 'x-switchyard-cache': 'use' });
    expect(second).toMatchObject({ status: 200, cache: 'hit' });
    const withoutProxyInfo = (text: string) => {
      const { _proxy_info, ...body } = JSON.parse(text) as Record<string, unknown>;
      return body;
    };
    expect(withoutProxyInfo(second.text)).toEqual(withoutProxyInfo(first.text));
    expect(callsWith(marker)).toBe(1);
  });
});

describe('accounting', () => {
  it('records a hit in the ledger as a zero-cost request and counts it in /v1/usage', async () => {
    const tenant = await gateway.createTenant(`cache-usage-${randomUUID()}`);
    const marker = `usage-${randomUUID()}`;
    const body = { model: 'gpt-4o', temperature: 0, messages: question(marker) };
    const miss = await post('/v1/chat/completions', body, {}, tenant.apiKey);
    const hit = await post('/v1/chat/completions', body, {}, tenant.apiKey);
    expect([miss.cache, hit.cache]).toEqual(['miss', 'hit']);

    const row = await eventually('the hit in usage_events', () =>
      gateway.db.selectFrom('usage_events').selectAll().where('request_id', '=', hit.requestId).executeTakeFirst(),
    );
    expect(row).toMatchObject({ org_id: tenant.orgId, model: 'gpt-4o', input_tokens: 0, output_tokens: 0, cache_hit: true, status: 'completed' });
    expect(Number(row.cost_usd)).toBe(0);

    type Report = {
      total_requests: number;
      total_cache_hits: number;
      total_cost_exact: string;
      by_model: Array<{ model: string; request_count: number; cache_hits: number; total_cost_exact: string; attempt_count: number }>;
    };
    const report = await eventually('both requests in /v1/usage', async () => {
      const response = await fetch(`${gateway.url}/v1/usage`, { headers: { authorization: `Bearer ${tenant.apiKey}` } });
      const body = (await response.json()) as Report;
      return body.total_requests === 2 && body;
    });
    const missRow = await gateway.db.selectFrom('usage_events').selectAll().where('request_id', '=', miss.requestId).executeTakeFirstOrThrow();
    expect(missRow.cache_hit).toBe(false);
    expect(report.total_cache_hits).toBe(1);
    expect(Number(report.total_cost_exact)).toBe(Number(missRow.cost_usd));
    expect(Number(report.total_cost_exact)).toBeGreaterThan(0);
    expect(report.by_model).toEqual([expect.objectContaining({ model: 'gpt-4o', request_count: 2, cache_hits: 1, attempt_count: 1 })]);
  });

  it('counts hits, misses and skips in the api metrics', async () => {
    const read = async () => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      const value = (result: string) => Number(new RegExp(`^switchyard_cache_requests_total\\{result="${result}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
      return { hit: value('hit'), miss: value('miss'), skip: value('skip') };
    };
    const before = await read();
    const marker = `metrics-${randomUUID()}`;
    const body = { model: 'gpt-4o', temperature: 0, messages: question(marker) };
    await post('/v1/chat/completions', body);
    await post('/v1/chat/completions', body);
    await post('/v1/chat/completions', body, { 'cache-control': 'no-store' });
    const after = await read();
    expect(after).toEqual({ hit: before.hit + 1, miss: before.miss + 1, skip: before.skip + 1 });
  });
});
