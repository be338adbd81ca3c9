// `Idempotency-Key` on the creating POSTs, end to end: a retry with the same key and body is
// answered from Redis (the upstream is called once), another body is refused with 422, keys
// are scoped per org and route, 5xx/429 are not kept, streams replay, and keys expire.
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotencyRecordKey } from '@switchyard/queue';
import { eventually, expectedMockAnswer } from '@switchyard/testing';
import { useGateway, type GatewayFixture } from '../support/use-gateway.ts';

const upstreamKey = 'sk-upstream-idempotency-0123456789';
/** Small enough that a long echo goes past it, large enough for every other answer here. */
const maxStoredBytes = 4096;

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: upstreamKey } },
  overrides: ({ openai }) => ({ providers: { openai: { apiKey: upstreamKey, baseUrl: openai.url, attempts: 1 } }, idempotency: { maxStoredBytes } }),
});
const upstream = gateway.upstreams.openai;
const client = gateway.openai;

// Its own gateway: stored answers live one second, so expiry is seen without waiting a day.
const shortLived = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: upstreamKey } },
  overrides: ({ openai }) => ({ providers: { openai: { apiKey: upstreamKey, baseUrl: openai.url, attempts: 1 } }, idempotency: { ttlSeconds: 1 } }),
});

afterEach(() => gateway.resetUpstreams());

type Answer = { status: number; headers: Headers; text: string; body: any };

async function post(
  path: string,
  body: unknown,
  options: { key?: string; apiKey?: string; headers?: Record<string, string>; on?: Pick<GatewayFixture<'openai'>, 'url' | 'apiKey'> } = {},
): Promise<Answer> {
  const on = options.on ?? gateway;
  const headers = new Headers({ authorization: `Bearer ${options.apiKey ?? on.apiKey}`, 'content-type': 'application/json', ...options.headers });
  if (options.key !== undefined) headers.set('Idempotency-Key', options.key);
  const response = await fetch(`${on.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** Upstream calls whose body holds `marker` (each test marks its prompts). */
const callsWith = (marker: string, on = upstream) => on.requests.filter((request) => JSON.stringify(request.body).includes(marker)).length;
const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o', messages: [{ role: 'user', content }], ...extra });
const messages = (content: string) => ({ model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user', content }] });
const newKey = () => `key-${randomUUID()}`;
const recordKey = (on: Pick<GatewayFixture<'openai'>, 'prefix' | 'orgId'>, route: string, key: string, orgId = on.orgId) =>
  idempotencyRecordKey(on.prefix, orgId, route, createHash('sha256').update(key).digest('hex'));

describe('a retry with the same key and body', () => {
  it('gets the stored answer through the openai SDK, marked Idempotent-Replayed, and the upstream is called once', async () => {
    const marker = `replay-${randomUUID()}`;
    const key = newKey();
    const body = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: marker }] };
    const first = await client.chat.completions.create(body, { headers: { 'Idempotency-Key': key } }).withResponse();
    const second = await client.chat.completions.create(body, { headers: { 'Idempotency-Key': key } }).withResponse();

    expect(first.data.choices[0]!.message.content).toBe(expectedMockAnswer([marker], marker).text);
    expect(second.data).toEqual(first.data);
    expect(first.response.headers.get('idempotent-replayed')).toBeNull();
    expect(second.response.headers.get('idempotent-replayed')).toBe('true');
    for (const header of ['content-type', 'x-job-id', 'x-switchyard-provider', 'x-switchyard-model', 'x-switchyard-attempts']) {
      expect(second.response.headers.get(header), header).toBe(first.response.headers.get(header));
    }
    // Each exchange has its own request id; the job id names the original.
    expect(second.response.headers.get('x-request-id')).not.toBe(first.response.headers.get('x-request-id'));
    expect(second.response.headers.get('x-job-id')).toBe(first.response.headers.get('x-request-id'));
    expect(callsWith(marker)).toBe(1);

    // Kept for idempotency.ttlSeconds (24 h by default) under a name that holds the key's hash, not the key.
    const stored = recordKey(gateway, '/v1/chat/completions', key);
    expect(stored).not.toContain(key);
    const ttlMs = await gateway.redis.pttl(stored);
    expect(ttlMs).toBeGreaterThan(23 * 3600 * 1000);
    expect(ttlMs).toBeLessThanOrEqual(24 * 3600 * 1000);
  });

  it('matches bodies by content, not by key order or spacing', async () => {
    const marker = `order-${randomUUID()}`;
    const key = newKey();
    const first = await post('/v1/chat/completions', { model: 'gpt-4o', temperature: 0, messages: [{ role: 'user', content: marker }] }, { key });
    const second = await post('/v1/chat/completions', { messages: [{ content: marker, role: 'user' }], temperature: 0, model: 'gpt-4o' }, { key });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.text).toBe(first.text);
    expect(callsWith(marker)).toBe(1);
  });

  it('replays embeddings and legacy completions, and an Anthropic message through its SDK', async () => {
    const marker = `endpoints-${randomUUID()}`;
    const key = newKey();
    const embeddingBody = { model: 'text-embedding-3-small', input: marker };
    const completionBody = { model: 'gpt-3.5-turbo', prompt: marker };
    for (const [path, body] of [
      ['/v1/embeddings', embeddingBody],
      ['/v1/completions', completionBody],
    ] as const) {
      const first = await post(path, body, { key });
      const second = await post(path, body, { key });
      expect(first.status, path).toBe(200);
      expect(second.headers.get('idempotent-replayed'), path).toBe('true');
      expect(second.text, path).toBe(first.text);
    }
    const anthropicBody = { model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user' as const, content: marker }] };
    const first = await gateway.anthropic.messages.create(anthropicBody, { headers: { 'Idempotency-Key': key } }).withResponse();
    const second = await gateway.anthropic.messages.create(anthropicBody, { headers: { 'Idempotency-Key': key } }).withResponse();
    expect(second.data).toEqual(first.data);
    expect(second.response.headers.get('idempotent-replayed')).toBe('true');
    expect(callsWith(marker)).toBe(3);
  });

  it('replays a client error as it was answered (4xx other than 429 are kept)', async () => {
    const key = newKey();
    const first = await post('/v1/chat/completions', { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }, { key });
    const second = await post('/v1/chat/completions', { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }, { key });
    expect(first.status).toBe(404);
    expect(first.body.error.code).toBe('model_not_found');
    expect(second.status).toBe(404);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.text).toBe(first.text);
  });
});

describe('the same key with another body', () => {
  it('answers 422 idempotency_key_reused in the OpenAI envelope, and does not run', async () => {
    const marker = `mismatch-${randomUUID()}`;
    const key = newKey();
    await client.chat.completions.create(chat(marker) as never, { headers: { 'Idempotency-Key': key } });
    const refused = await client.chat.completions.create(chat(`${marker} changed`) as never, { headers: { 'Idempotency-Key': key } }).then(
      () => undefined,
      (error: unknown) => error as { status: number; code: string; type: string; param: string },
    );
    expect(refused).toMatchObject({ status: 422, code: 'idempotency_key_reused', type: 'idempotency_error', param: 'Idempotency-Key' });

    const raw = await post('/v1/chat/completions', chat(`${marker} changed again`), { key });
    expect(raw.status).toBe(422);
    expect(raw.body).toEqual({
      error: {
        message: expect.stringContaining('different request body'),
        type: 'idempotency_error',
        param: 'Idempotency-Key',
        code: 'idempotency_key_reused',
      },
    });
    expect(raw.headers.get('idempotent-replayed')).toBeNull();
    expect(callsWith(marker)).toBe(1);
  });

  it('answers 422 in the Anthropic envelope on /v1/messages and its seed alias', async () => {
    const marker = `mismatch-messages-${randomUUID()}`;
    const key = newKey();
    await gateway.anthropic.messages.create(messages(marker) as never, { headers: { 'Idempotency-Key': key } });
    for (const path of ['/v1/messages', '/api/ai/anthropic/messages']) {
      const refused = await post(path, messages(`${marker} changed`), { key });
      expect(refused.status, path).toBe(422);
      expect(refused.body, path).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('Idempotency-Key') } });
    }
    expect(callsWith(marker)).toBe(1);
  });
});

describe('scope', () => {
  it('keeps orgs apart: the same key and body in two orgs run twice', async () => {
    const marker = `orgs-${randomUUID()}`;
    const key = newKey();
    const other = await gateway.createTenant(`org-${randomUUID()}`);
    const mine = await post('/v1/chat/completions', chat(marker), { key });
    const theirs = await post('/v1/chat/completions', chat(marker), { key, apiKey: other.apiKey });
    expect([mine.status, theirs.status]).toEqual([200, 200]);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.headers.get('x-job-id')).not.toBe(mine.headers.get('x-job-id'));
    expect(callsWith(marker)).toBe(2);
    // Each org replays its own.
    expect((await post('/v1/chat/completions', chat(marker), { key, apiKey: other.apiKey })).headers.get('x-job-id')).toBe(theirs.headers.get('x-job-id'));
  });

  it('keeps routes apart; a seed alias shares its twin route', async () => {
    const marker = `routes-${randomUUID()}`;
    const key = newKey();
    const chatAnswer = await post('/v1/chat/completions', chat(marker), { key });
    const messagesAnswer = await post('/v1/messages', messages(marker), { key });
    const job = await post('/v1/jobs', { endpoint: '/v1/chat/completions', body: chat(marker) }, { key });
    expect([chatAnswer.status, messagesAnswer.status, job.status]).toEqual([200, 200, 202]);
    expect(messagesAnswer.headers.get('idempotent-replayed')).toBeNull();
    expect(job.headers.get('idempotent-replayed')).toBeNull();

    const alias = await post('/api/ai/chat/completions', chat(marker), { key });
    expect(alias.headers.get('idempotent-replayed')).toBe('true');
    expect(alias.text).toBe(chatAnswer.text);
    await eventually('the job to run', async () => callsWith(marker) === 3);
  });
});

describe('async jobs', () => {
  it('POST /v1/jobs replays the same job id and 202 body; another body is 422', async () => {
    const marker = `job-${randomUUID()}`;
    const key = newKey();
    const job = { endpoint: '/v1/chat/completions', body: chat(marker), metadata: { ticket: '7' } };
    const first = await post('/v1/jobs', job, { key });
    const second = await post('/v1/jobs', job, { key });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.text).toBe(first.text);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('location')).toBe(`/v1/jobs/${first.body.id}`);
    expect(second.headers.get('x-job-id')).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');

    const other = await post('/v1/jobs', { ...job, metadata: { ticket: '8' } }, { key });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');

    await eventually('the job to complete', async () => {
      const response = await fetch(`${gateway.url}/v1/jobs/${first.body.id}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
      return ((await response.json()) as { status: string }).status === 'completed';
    });
    expect(callsWith(marker)).toBe(1);
  });

  it('Prefer: respond-async replays the same job', async () => {
    const marker = `prefer-${randomUUID()}`;
    const key = newKey();
    const first = await post('/v1/chat/completions', chat(marker), { key, headers: { prefer: 'respond-async' } });
    const second = await post('/v1/chat/completions', chat(marker), { key, headers: { prefer: 'respond-async' } });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('answers that are not kept', () => {
  it('a 5xx releases the key: the retry runs again', async () => {
    const marker = `five-${randomUUID()}`;
    const key = newKey();
    upstream.behave('gpt-4-turbo', { status: 500, failTimes: 1 });
    const failed = await post('/v1/chat/completions', chat(marker, { model: 'gpt-4-turbo' }), { key });
    expect(failed.status).toBe(502);
    expect(await gateway.redis.exists(recordKey(gateway, '/v1/chat/completions', key))).toBe(0);
    const retried = await post('/v1/chat/completions', chat(marker, { model: 'gpt-4-turbo' }), { key });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(callsWith(marker)).toBe(2);
    // Now it is kept.
    expect((await post('/v1/chat/completions', chat(marker, { model: 'gpt-4-turbo' }), { key })).headers.get('idempotent-replayed')).toBe('true');
    expect(callsWith(marker)).toBe(2);
  });

  it('a 429 releases the key: the retry runs again', async () => {
    const marker = `rate-${randomUUID()}`;
    const key = newKey();
    upstream.behave('gpt-4o-mini', { status: 429, failTimes: 1 });
    const limited = await post('/v1/chat/completions', chat(marker, { model: 'gpt-4o-mini' }), { key });
    expect(limited.status).toBe(429);
    const retried = await post('/v1/chat/completions', chat(marker, { model: 'gpt-4o-mini' }), { key });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(callsWith(marker)).toBe(2);
  });

  it('an answer over idempotency.maxStoredBytes is not stored: the key is released and a retry runs again', async () => {
    const marker = `large-${randomUUID()}`;
    const key = newKey();
    const long = `${marker} ${'many words '.repeat(400)}`;
    const first = await post('/v1/chat/completions', chat(long), { key });
    expect(first.status).toBe(200);
    expect(first.text.length).toBeGreaterThan(maxStoredBytes);
    expect(await gateway.redis.exists(recordKey(gateway, '/v1/chat/completions', key))).toBe(0);
    const second = await post('/v1/chat/completions', chat(long), { key });
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(callsWith(marker)).toBe(2);
  });
});

describe('streams', () => {
  it('a finished stream is replayed as the same SSE through the openai SDK, with one upstream call', async () => {
    const marker = `stream-${randomUUID()}`;
    const key = newKey();
    const read = async () => {
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: marker }], stream: true }, { headers: { 'Idempotency-Key': key } })
        .withResponse();
      const chunks = [];
      for await (const chunk of data) chunks.push(chunk);
      return { chunks, response };
    };
    const first = await read();
    const second = await read();
    expect(first.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(expectedMockAnswer([marker], marker).text);
    expect(second.chunks).toEqual(first.chunks);
    expect(second.response.headers.get('content-type')).toBe('text/event-stream');
    expect(second.response.headers.get('idempotent-replayed')).toBe('true');
    expect(callsWith(marker)).toBe(1);
    // The same key without `stream` is another body.
    expect((await post('/v1/chat/completions', chat(marker), { key })).status).toBe(422);
  });

  it('an Anthropic stream is replayed event for event through its SDK', async () => {
    const marker = `anthropic-stream-${randomUUID()}`;
    const key = newKey();
    const read = async () => {
      const { data, response } = await gateway.anthropic.messages
        .create({ model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user', content: marker }], stream: true }, { headers: { 'Idempotency-Key': key } })
        .withResponse();
      const events = [];
      for await (const event of data) events.push(event);
      return { events, response };
    };
    const first = await read();
    const second = await read();
    expect(first.events.at(-1)?.type).toBe('message_stop');
    expect(second.events).toEqual(first.events);
    expect(second.response.headers.get('idempotent-replayed')).toBe('true');
    expect(callsWith(marker)).toBe(1);
  });

  it('a stream cut by an upstream failure is not kept: the retry streams again', async () => {
    const marker = `cut-${randomUUID()}`;
    const key = newKey();
    upstream.behave('gpt-4o-mini', { failAfterTokens: 1, failTimes: 1 });
    const body = chat(`${marker} one two three`, { model: 'gpt-4o-mini', stream: true });
    const cut = await post('/v1/chat/completions', body, { key });
    expect(cut.status).toBe(200);
    expect(cut.text).toContain('"error"');
    expect(await gateway.redis.exists(recordKey(gateway, '/v1/chat/completions', key))).toBe(0);
    const retried = await post('/v1/chat/completions', body, { key });
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(retried.text).toContain('data: [DONE]');
    expect(retried.text).not.toContain('"error"');
    expect(callsWith(marker)).toBe(2);
    expect((await post('/v1/chat/completions', body, { key })).headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('bad keys', () => {
  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['holding a tab', 'a\tb'],
    ['holding a non-ASCII character', 'clé'],
  ])('a key %s answers 400 naming the header, and nothing runs', async (_name, key) => {
    const marker = `bad-${randomUUID()}`;
    const refused = await post('/v1/chat/completions', chat(marker), { key });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', param: 'Idempotency-Key' });
    const job = await post('/v1/jobs', { endpoint: '/v1/chat/completions', body: chat(marker) }, { key });
    expect(job.status).toBe(400);
    const anthropic = await post('/v1/messages', messages(marker), { key });
    expect(anthropic.status).toBe(400);
    expect(anthropic.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(callsWith(marker)).toBe(0);
  });

  it('refuses a key on a multipart body the route does not fingerprint', async () => {
    const form = new FormData();
    form.set('model', 'gpt-4o');
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'Idempotency-Key': newKey() },
      body: form,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({ code: 'unsupported_parameter', param: 'Idempotency-Key' });
  });

  it('accepts a key of exactly 255 printable characters', async () => {
    const answer = await post('/v1/chat/completions', chat(`edge-${randomUUID()}`), { key: `${'~'.repeat(200)} ${randomUUID()}`.slice(0, 255) });
    expect(answer.status).toBe(200);
  });
});

describe('expiry', () => {
  it('after idempotency.ttlSeconds the key is forgotten and the same request runs again', async () => {
    const marker = `expiry-${randomUUID()}`;
    const key = newKey();
    const first = await post('/v1/chat/completions', chat(marker), { key, on: shortLived });
    expect(first.status).toBe(200);
    const stored = recordKey(shortLived, '/v1/chat/completions', key);
    // Kept for the configured second at most (-2: already gone).
    const ttlMs = await shortLived.redis.pttl(stored);
    expect(ttlMs === -2 || (ttlMs > 0 && ttlMs <= 1000), `PTTL ${ttlMs}`).toBe(true);
    await eventually('the stored answer to expire', async () => (await shortLived.redis.exists(stored)) === 0);
    const second = await post('/v1/chat/completions', chat(marker), { key, on: shortLived });
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('x-job-id')).not.toBe(first.headers.get('x-job-id'));
    expect(callsWith(marker, shortLived.upstreams.openai)).toBe(2);
  });
});

// Sealed stored answers: a replayed webhook creation carries the new secret, so Redis must not hold it in the clear.
const sealing = useGateway({ overrides: () => ({ encryptionKey: 'idempotency-test-encryption-key-0123' }) });

describe('the other creating routes', () => {
  it('replays POST /v1/webhooks with the same endpoint and secret, creates it once, and keeps no plaintext secret in Redis', async () => {
    const key = newKey();
    const body = { url: `https://hooks.example.com/${randomUUID()}`, events: ['job.completed'] };
    const first = await post('/v1/webhooks', body, { key, on: sealing });
    const again = await post('/v1/webhooks', body, { key, on: sealing });
    expect(first.status).toBe(201);
    expect(first.body.secret).toMatch(/^whsec_/);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const listed = await fetch(`${sealing.url}/v1/webhooks`, { headers: { authorization: `Bearer ${sealing.apiKey}` } }).then(
      (response) => response.json() as Promise<any>,
    );
    expect(listed.data.filter((endpoint: { url: string }) => endpoint.url === body.url)).toHaveLength(1);
    const stored = await sealing.redis.get(recordKey(sealing, '/v1/webhooks', key));
    expect(stored).toBeTruthy();
    expect(stored).not.toContain(first.body.secret);
    // The answer is kept as base64: decoded, it must still not show the secret.
    expect(Buffer.from(JSON.parse(stored!).body, 'base64').toString('utf8')).not.toContain(first.body.secret);
  });

  it('refuses a key on a streamed file upload with 400 instead of ignoring it', async () => {
    const form = new FormData();
    form.set('purpose', 'batch');
    form.set('file', new Blob(['{"custom_id":"a"}\n']), 'lines.jsonl');
    const response = await fetch(`${gateway.url}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'Idempotency-Key': newKey() },
      body: form,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error).toMatchObject({ type: 'invalid_request_error', param: 'Idempotency-Key' });
  });
});
