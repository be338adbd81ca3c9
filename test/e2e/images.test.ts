// POST /v1/images/generations through the official openai SDK: on the built-in mock
// (`mock-image`, no key) and on a mock OpenAI upstream (`dall-e-3`, and a token-reporting
// gpt-image model), as an async job and as a batch line; each image billed at the model's
// image price in usage_events; the 400s for a model that draws no images and for `stream`.
import OpenAI, { toFile } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const openAIKey = 'sk-openai-upstream-secret-images-0123';
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: openAIKey } },
  overrides: ({ openai }) => ({
    providers: { openai: { apiKey: openAIKey, baseUrl: openai.url, attempts: 1 } },
    models: {
      // A gpt-image model reports tokens as well: billed on both.
      'gpt-image-test': {
        provider: 'openai',
        upstreamModel: 'gpt-image-1',
        pricing: { input: '5', output: '40', image: '0.011' },
        capabilities: { chat: false, streaming: false, tools: false, images: true },
      },
    },
  }),
});
const upstream = gateway.upstreams.openai;
const openai = gateway.openai;

afterEach(() => upstream.reset());

async function http(path: string, init: RequestInit = {}) {
  const response = await fetch(`${gateway.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

/** The ledger's usage rows of one request, once it has written them. */
function usageEventsOf(requestId: string, attempts = 1) {
  return eventually(`the ledger to record ${requestId}`, async () => {
    const rows = await gateway.db.selectFrom('usage_events').selectAll().where('request_id', '=', requestId).execute();
    return rows.length >= attempts && rows;
  });
}

describe('the catalog', () => {
  it('lists image models with their capability and price per image', async () => {
    const mock = await http('/v1/models/mock-image');
    expect(mock.body.capabilities).toMatchObject({ images: true, chat: false });
    expect(mock.body.pricing).toMatchObject({ per_image: 0.02, currency: 'USD' });
    const dalle = await http('/v1/models/dall-e-3');
    expect(dalle.body.pricing.per_image).toBe(0.04);
    const chat = await http('/v1/models/mock-fast');
    expect(chat.body.capabilities.images).toBe(false);
    expect(chat.body.pricing.per_image).toBeUndefined();
  });
});

describe('the built-in mock', () => {
  it('draws n PNGs inline with no key, billed per image', async () => {
    const { data: response, response: raw } = await openai.images
      .generate({ model: 'mock-image', prompt: 'a lighthouse at dusk', n: 3, response_format: 'b64_json' })
      .withResponse();
    expect(raw.headers.get('x-switchyard-model')).toBe('mock-image');
    expect(raw.headers.get('x-switchyard-provider')).toBe('mock');
    expect(response.created).toBeGreaterThan(0);
    expect(response.data).toHaveLength(3);
    for (const image of response.data ?? []) {
      expect(Buffer.from(image.b64_json!, 'base64').subarray(0, 8)).toEqual(pngSignature);
      expect(image.url).toBeUndefined();
    }
    expect(response.usage).toBeUndefined();

    const [event] = await usageEventsOf(raw.headers.get('x-job-id')!);
    expect(event).toMatchObject({ model: 'mock-image', provider: 'mock', input_tokens: 0, output_tokens: 0, status: 'completed' });
    // 3 × 0.02, exactly.
    expect(Number(event!.cost_usd)).toBe(0.06);
    expect(String(event!.cost_usd)).toMatch(/^0\.060*$/);
  });

  it('answers data: URLs when asked for urls', async () => {
    const response = await openai.images.generate({ model: 'mock-image', prompt: 'a cat', response_format: 'url' });
    expect(response.data).toHaveLength(1);
    expect(response.data![0]!.url).toMatch(/^data:image\/png;base64,/);
    expect(Buffer.from(response.data![0]!.url!.split(',')[1]!, 'base64').subarray(0, 8)).toEqual(pngSignature);
  });
});

describe('an OpenAI upstream', () => {
  it('serves dall-e-3 with the key, passes the options on, and bills its list price per image', async () => {
    const { data: response, response: raw } = await openai.images
      .generate({ model: 'dall-e-3', prompt: 'a red bicycle', n: 1, size: '1024x1024', quality: 'standard', style: 'natural', user: 'u-42' })
      .withResponse();
    const call = upstream.requests.at(-1)!;
    expect(call.path).toBe('/v1/images/generations');
    expect(call.headers.authorization).toBe(`Bearer ${openAIKey}`);
    expect(call.body).toEqual({ model: 'dall-e-3', prompt: 'a red bicycle', n: 1, size: '1024x1024', quality: 'standard', style: 'natural', user: 'u-42' });
    expect(response.data).toEqual([{ url: 'https://images.mock-upstream.invalid/dall-e-3/0.png', revised_prompt: 'A picture of a red bicycle' }]);
    expect(raw.headers.get('x-switchyard-provider')).toBe('openai');

    const [event] = await usageEventsOf(raw.headers.get('x-job-id')!);
    expect(event).toMatchObject({ model: 'dall-e-3', provider: 'openai', input_tokens: 0, output_tokens: 0 });
    expect(Number(event!.cost_usd)).toBe(0.04);
  });

  it('bills a token-reporting image model for its tokens and its images, and shows the usage', async () => {
    upstream.behave('gpt-image-1', { usage: { input: 10, output: 1000 } });
    const { data: response, response: raw } = await openai.images
      .generate({ model: 'gpt-image-test', prompt: 'two owls', n: 2, response_format: 'b64_json', output_format: 'webp', background: 'transparent' })
      .withResponse();
    expect(upstream.requests.at(-1)!.body).toMatchObject({
      model: 'gpt-image-1',
      n: 2,
      response_format: 'b64_json',
      output_format: 'webp',
      background: 'transparent',
    });
    expect(response.data).toHaveLength(2);
    expect(Buffer.from(response.data![0]!.b64_json!, 'base64').subarray(0, 8)).toEqual(pngSignature);
    expect(response.usage).toMatchObject({ input_tokens: 10, output_tokens: 1000, total_tokens: 1010 });

    const [event] = await usageEventsOf(raw.headers.get('x-job-id')!);
    expect(event).toMatchObject({ input_tokens: 10, output_tokens: 1000 });
    // 10 × 5 / 1e6 + 1000 × 40 / 1e6 + 2 × 0.011 = 0.00005 + 0.04 + 0.022.
    expect(String(event!.cost_usd)).toMatch(/^0\.062050*$/);
  });

  it('passes an upstream refusal through as an error', async () => {
    upstream.behave('dall-e-3', { status: 400, errorMessage: 'Your request was rejected as a result of our safety system.' });
    const error = await rejection(openai.images.generate({ model: 'dall-e-3', prompt: 'something refused' }));
    expect(error.status).toBeGreaterThanOrEqual(400);
  });
});

describe('refusals', () => {
  it('answers 400 for a model without the images capability, before anything is queued', async () => {
    const requestsBefore = upstream.requests.length;
    const chat = await rejection(openai.images.generate({ model: 'mock-fast', prompt: 'x' }));
    expect(chat.status).toBe(400);
    expect(chat.error).toMatchObject({ code: 'invalid_request', param: 'model' });
    expect(chat.message).toContain('does not support image generation');
    const embeddings = await rejection(openai.images.generate({ model: 'text-embedding-3-small', prompt: 'x' }));
    expect(embeddings.status).toBe(400);
    expect(upstream.requests.length).toBe(requestsBefore);
  });

  it('refuses `stream: true` clearly', async () => {
    const error = await rejection(openai.images.generate({ model: 'mock-image', prompt: 'x', stream: true }));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ code: 'invalid_request', param: 'stream' });
    expect(error.message).toContain('streaming is not supported on /v1/images/generations');
  });

  it('validates the body in OpenAI wording', async () => {
    const noPrompt = await http('/v1/images/generations', { method: 'POST', body: JSON.stringify({ model: 'mock-image' }) });
    expect(noPrompt.status).toBe(400);
    expect(noPrompt.body.error).toMatchObject({ param: 'prompt' });
    const badFormat = await http('/v1/images/generations', {
      method: 'POST',
      body: JSON.stringify({ model: 'mock-image', prompt: 'x', response_format: 'png' }),
    });
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.error).toMatchObject({ param: 'response_format' });
  });
});

describe('the queue', () => {
  it('runs an image generation as an async job whose output is the endpoint body and whose usage counts images', async () => {
    const done = await http('/v1/jobs', {
      method: 'POST',
      headers: { prefer: 'wait=10' },
      body: JSON.stringify({ endpoint: '/v1/images/generations', body: { model: 'mock-image', prompt: 'a job', n: 2 }, metadata: { kind: 'image' } }),
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', endpoint: '/v1/images/generations', model: 'mock-image', metadata: { kind: 'image' } });
    expect(done.body.output.data).toHaveLength(2);
    expect(done.body.output.data[0].b64_json).toEqual(expect.any(String));
    expect(done.body.usage).toMatchObject({ input_tokens: 0, output_tokens: 0, images: 2 });
    expect(Number(done.body.cost_usd)).toBe(0.04);

    const fromPostgres = await eventually('the ledger to keep the job', async () => {
      const job = await http(`/v1/jobs/${done.body.id}`);
      return job.body.cost_usd !== null && job.body.status === 'completed' && job;
    });
    expect(fromPostgres.body.usage.images).toBe(2);
  });

  it('turns the route into a job with Prefer: respond-async, and keeps an Idempotency-Key', async () => {
    const headers = { prefer: 'respond-async', 'idempotency-key': `images-${Date.now()}` };
    const body = JSON.stringify({ model: 'mock-image', prompt: 'once' });
    const first = await http('/v1/images/generations', { method: 'POST', headers, body });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ object: 'job', endpoint: '/v1/images/generations' });
    const second = await http('/v1/images/generations', { method: 'POST', headers, body });
    expect(second.body.id).toBe(first.body.id);
  });

  it('runs batch lines on the endpoint, each billed per image', async () => {
    const lines = [
      { custom_id: 'one', method: 'POST', url: '/v1/images/generations', body: { model: 'mock-image', prompt: 'first', n: 1 } },
      { custom_id: 'two', method: 'POST', url: '/v1/images/generations', body: { model: 'dall-e-3', prompt: 'second' } },
      { custom_id: 'not-an-image-model', method: 'POST', url: '/v1/images/generations', body: { model: 'mock-fast', prompt: 'third' } },
    ];
    const file = await openai.files.create({
      file: await toFile(Buffer.from(lines.map((line) => JSON.stringify(line)).join('\n')), 'images.jsonl'),
      purpose: 'batch',
    });
    // The SDK's type lists the endpoints OpenAI batches; the gateway takes this one too.
    const created = await openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/images/generations' as OpenAI.BatchCreateParams['endpoint'],
      completion_window: '24h',
    });
    const batch = await eventually('the batch to end', async () => {
      const current = await openai.batches.retrieve(created.id);
      return ['completed', 'failed', 'expired', 'cancelled'].includes(current.status) && current;
    });
    expect(batch.status).toBe('completed');
    expect(batch.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });

    const output = (await (await openai.files.content(batch.output_file_id!)).text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const byId = Object.fromEntries(output.map((line) => [line.custom_id, line]));
    expect(byId.one.response.status_code).toBe(200);
    expect(byId.one.response.body.data[0].b64_json).toEqual(expect.any(String));
    expect(byId.two.response.body.data[0].url).toBe('https://images.mock-upstream.invalid/dall-e-3/0.png');
    const errors = (await (await openai.files.content(batch.error_file_id!)).text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(errors.map((line) => line.custom_id)).toEqual(['not-an-image-model']);

    const costs = await eventually('the ledger to bill both lines', async () => {
      const rows = await gateway.db.selectFrom('usage_events').select(['model', 'cost_usd']).where('request_id', 'like', `${created.id}-%`).execute();
      return rows.length === 2 && rows;
    });
    expect(Object.fromEntries(costs.map((row) => [row.model, Number(row.cost_usd)]))).toEqual({ 'mock-image': 0.02, 'dall-e-3': 0.04 });
  });
});
