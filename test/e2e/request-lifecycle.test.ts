// A request's life at its edges: cancels that must stick, chains that are down, models
// that cannot be served, workers that are missing, replies too large for pub/sub, and job
// bodies that are refused instead of silently ignored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { inlineReplyMaxBytes } from '@switchyard/queue';
import { openAIClient } from '../support/clients.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

type Job = { id: string; status: string; error: { code: string; message: string } | null; cost_usd: string | null };

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const post = (gateway: TestGateway, path: string, body: unknown) =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const getJob = async (gateway: TestGateway, id: string) =>
  (await (await fetch(`${gateway.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } })).json()) as Job;
const chatBody = (model: string, content = 'hello') => ({ model, messages: [{ role: 'user', content }] });

describe('with workers', () => {
  let upstream: MockUpstream;
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startMockOpenAIUpstream();
    gateway = await startTestGateway({
      overrides: {
        providers: {
          openai: { apiKey: 'sk-upstream', baseUrl: upstream.url, attempts: 1, breaker: { failureThreshold: 1, windowMs: 60_000, openMs: 60_000 } },
          xai: { apiKey: 'sk-upstream', baseUrl: upstream.url, attempts: 1, maxResponseBytes: 1024 * 1024 },
        },
        models: {
          'primary-model': { provider: 'openai', fallbacks: ['backup-model'] },
          'backup-model': { provider: 'xai' },
          'limited-model': { provider: 'xai' },
          'large-model': { provider: 'xai' },
          'huge-model': { provider: 'xai' },
          // perplexity has no key in this gateway: configured, but disabled.
          'disabled-model': { provider: 'perplexity', fallbacks: ['disabled-fallback'] },
          'disabled-fallback': { provider: 'perplexity' },
        },
      },
    });
    client = openAIClient(gateway);
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('cancels a job the upstream keeps rate-limiting: it ends cancelled, is never served and never billed', async () => {
    upstream.behave('limited-model', { status: 429, retryAfterSeconds: 1 });
    const created = (await (await post(gateway, '/v1/jobs', { endpoint: '/v1/chat/completions', body: chatBody('limited-model', 'cancel me') })).json()) as Job;
    const callsOf = () => upstream.requests.filter((request) => (request.body as { model?: string } | undefined)?.model === 'limited-model').length;
    await poll(
      async () => callsOf(),
      (calls) => calls >= 1,
      'the first rate-limited call',
    );
    const cancel = await post(gateway, `/v1/jobs/${created.id}/cancel`, {});
    expect(cancel.status).toBe(200);
    // From now on the upstream would answer: a job that kept retrying would complete.
    upstream.behave('limited-model', {});
    const callsAtCancel = callsOf();
    const job = await poll(
      () => getJob(gateway, created.id),
      (value) => value.status !== 'queued' && value.status !== 'in_progress',
      'the cancelled job to settle',
    );
    expect(job.status).toBe('cancelled');
    // Past the provider's retry-after, nothing ran it again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await getJob(gateway, created.id)).status).toBe('cancelled');
    expect(callsOf()).toBeLessThanOrEqual(callsAtCancel + 1);
    const usage = await gateway.database.db.selectFrom('usage_events').select(['status']).where('request_id', '=', created.id).execute();
    expect(usage.filter((row) => row.status === 'completed')).toHaveLength(0);
  });

  it('answers 503 provider_unavailable when routes skipped as down are followed by a last route that fails', async () => {
    upstream.behave('primary-model', { status: 500 });
    upstream.behave('backup-model', { status: 500 });
    // The first call opens primary's breaker (threshold 1) and fails on the backup too.
    await client.chat.completions.create(chatBody('primary-model') as never).catch(() => undefined);
    const primaryCalls = upstream.requests.filter((request) => (request.body as { model?: string }).model === 'primary-model').length;
    const failure = await client.chat.completions.create(chatBody('primary-model') as never).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    const error = failure as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(503);
    expect((error.error as { code?: string }).code).toBe('provider_unavailable');
    expect(error.headers?.get('retry-after')).toMatch(/^\d+$/);
    // The open route was skipped, not called.
    expect(upstream.requests.filter((request) => (request.body as { model?: string }).model === 'primary-model')).toHaveLength(primaryCalls);
    upstream.behave('primary-model', {});
    upstream.behave('backup-model', {});
  });

  it('answers a model whose providers are all disabled with a 404 the SDK does not retry, naming what to set', async () => {
    const failure = await client.chat.completions.create(chatBody('disabled-model') as never).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    const error = failure as InstanceType<typeof OpenAI.NotFoundError>;
    expect((error.error as { code?: string }).code).toBe('model_not_found');
    expect(error.message).toContain('PERPLEXITY_API_KEY');
    expect(error.message).toContain('disabled-fallback');
  });

  it('sends a reply too large for a pub/sub message by reference, and the client still gets all of it', async () => {
    const text = 'x'.repeat(inlineReplyMaxBytes * 3);
    upstream.behave('large-model', { text });
    const listener = new Redis(gateway.redisUrl);
    const sizes: number[] = [];
    listener.on('pmessage', (_pattern: string, _channel: string, message: string) => {
      if (message.includes('"kind":"result"')) sizes.push(message.length);
    });
    await listener.psubscribe(`${gateway.prefix}:reply:*`);
    try {
      const completion = await client.chat.completions.create(chatBody('large-model') as never);
      expect((completion as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(text);
      expect(sizes.length).toBeGreaterThan(0);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(inlineReplyMaxBytes);
    } finally {
      listener.disconnect();
      upstream.behave('large-model', {});
    }
  });

  it('refuses an upstream answer larger than maxResponseBytes with a clear 502, streamed or not', async () => {
    upstream.behave('huge-model', { text: 'word '.repeat(400_000) });
    const failure = await client.chat.completions.create(chatBody('huge-model') as never).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    const error = failure as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.message).toContain('maxResponseBytes');
    // A stream is cut where it passes the cap, with an error event after what was relayed.
    const stream = await client.chat.completions.create({ ...chatBody('huge-model'), stream: true } as never);
    let relayed = '';
    const streamed = await (async () => {
      for await (const chunk of stream as unknown as AsyncIterable<{ choices: Array<{ delta: { content?: string } }> }>)
        relayed += chunk.choices[0]?.delta.content ?? '';
    })().catch((caught: unknown) => caught);
    expect(String(streamed)).toContain('maxResponseBytes');
    expect(relayed.length).toBeLessThan(1024 * 1024);
    upstream.behave('huge-model', {});
  });

  describe('POST /v1/jobs refuses what it would silently ignore', () => {
    it('refuses a webhook_url the destination policy refuses, and unknown fields', async () => {
      const withWebhook = await post(gateway, '/v1/jobs', {
        endpoint: '/v1/chat/completions',
        body: chatBody('mock-fast'),
        webhook_url: 'http://127.0.0.1:9/hook',
      });
      expect(withWebhook.status).toBe(400);
      expect(((await withWebhook.json()) as { error: { param: string } }).error.param).toBe('webhook_url');
      const unknown = await post(gateway, '/v1/jobs', { endpoint: '/v1/chat/completions', body: chatBody('mock-fast'), priority: 'high' });
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('priority');
    });

    it('caps metadata as OpenAI does: 16 keys, 64-character keys, 512-character values', async () => {
      const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
      for (const metadata of [tooMany, { ['k'.repeat(65)]: 'v' }, { note: 'v'.repeat(513) }]) {
        const response = await post(gateway, '/v1/jobs', { endpoint: '/v1/chat/completions', body: chatBody('mock-fast'), metadata });
        expect(response.status).toBe(400);
      }
      const fits = await post(gateway, '/v1/jobs', {
        endpoint: '/v1/chat/completions',
        body: chatBody('mock-fast'),
        metadata: Object.fromEntries(Array.from({ length: 16 }, (_, index) => [`k${index}`, 'v'.repeat(512)])),
      });
      expect(fits.status).toBe(202);
    });

    it('explains the job shape when a bare chat body is posted', async () => {
      const response = await post(gateway, '/v1/jobs', chatBody('mock-fast'));
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { message: string } };
      expect(error.message).toContain('"endpoint"');
      expect(error.message).toContain('Prefer: respond-async');
    });
  });
});

describe('with no worker for the provider', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    // A short deadline: without the live-worker check the request would wait it out and answer 504.
    gateway = await startTestGateway({ workers: false, overrides: { server: { syncTimeoutMs: 4000 } } });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('answers a sync request at once with 503 and says which worker to start; async jobs still queue', async () => {
    const failure = await openAIClient(gateway)
      .chat.completions.create(chatBody('mock-fast') as never)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    const error = failure as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(503);
    expect(error.message).toContain('switchyard worker --provider mock');
    const queued = await post(gateway, '/v1/jobs', { endpoint: '/v1/chat/completions', body: chatBody('mock-fast') });
    expect(queued.status).toBe(202);
    // Once a worker is there, it serves both.
    await gateway.startWorkers();
    const completion = await openAIClient(gateway).chat.completions.create(chatBody('mock-fast') as never);
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const { id } = (await queued.json()) as Job;
    expect(
      (
        await poll(
          () => getJob(gateway, id),
          (job) => job.status === 'completed',
          'the queued job',
        )
      ).status,
    ).toBe('completed');
  });
});
