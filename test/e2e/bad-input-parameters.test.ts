// Parameters the gateway used to accept and drop, or pass on unchecked: penalties out of
// range, logit_bias (now forwarded, checked, and refused where the provider cannot honour
// it), image URLs of any scheme on /v1/messages, and absurd usage numbers from a provider.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicUpstream, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { anthropicClient, openAIClient } from '../support/clients.ts';

const openAIKey = 'sk-openai-upstream-secret-0123456789';
const anthropicKey = 'sk-ant-upstream-secret-0123456789';

let openAIUpstream: MockUpstream;
let anthropicUpstream: MockUpstream;
let gateway: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  openAIUpstream = await startMockOpenAIUpstream({ apiKey: openAIKey });
  anthropicUpstream = await startMockAnthropicUpstream({ apiKey: anthropicKey });
  gateway = await startTestGateway({
    overrides: {
      providers: {
        openai: { apiKey: openAIKey, baseUrl: openAIUpstream.url, attempts: 1 },
        anthropic: { apiKey: anthropicKey, baseUrl: anthropicUpstream.url, attempts: 1 },
      },
    },
  });
  openai = openAIClient(gateway);
  anthropic = anthropicClient(gateway);
});

afterEach(() => {
  openAIUpstream.reset();
  anthropicUpstream.reset();
});

afterAll(async () => {
  await gateway?.stop();
  await openAIUpstream?.close();
  await anthropicUpstream?.close();
});

type ErrorEnvelope = { error: { message: string; type: string; param: string | null; code: string } };

async function post(path: string, body: unknown): Promise<{ status: number; body: ErrorEnvelope & Record<string, unknown> }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ErrorEnvelope & Record<string, unknown> };
}

const messages = [{ role: 'user', content: 'hello' }];

describe('presence_penalty and frequency_penalty', () => {
  it.each([
    ['presence_penalty', 3],
    ['presence_penalty', -2.5],
    ['frequency_penalty', -3],
    ['frequency_penalty', 2.01],
  ])('refuses %s = %d with 400', async (param, value) => {
    const answer = await post('/v1/chat/completions', { model: 'gpt-4o', messages, [param]: value });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', param });
    expect(openAIUpstream.requests).toHaveLength(0);
  });

  it('forwards penalties in range to an OpenAI-dialect provider', async () => {
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }], presence_penalty: 1.5, frequency_penalty: -0.5 });
    expect(openAIUpstream.requests.at(-1)!.body).toMatchObject({ presence_penalty: 1.5, frequency_penalty: -0.5 });
  });

  it('refuses a non-zero penalty for an Anthropic model, which has none, and accepts zero', async () => {
    const refused = await post('/v1/chat/completions', { model: 'claude-sonnet', messages, presence_penalty: 0.5 });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'unsupported_parameter', param: 'presence_penalty' });
    expect(anthropicUpstream.requests).toHaveLength(0);
    const accepted = await post('/v1/chat/completions', { model: 'claude-sonnet', messages, presence_penalty: 0, frequency_penalty: 0 });
    expect(accepted.status).toBe(200);
  });
});

describe('logit_bias', () => {
  it('is forwarded to an OpenAI-dialect provider as sent', async () => {
    const logitBias = { '50256': -100, '1734': 5.5 };
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }], logit_bias: logitBias });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    expect(openAIUpstream.requests.at(-1)!.body).toMatchObject({ logit_bias: logitBias });
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'bias'],
    ['a key that is not a token id', { abc: 1 }],
    ['a value above 100', { '42': 101 }],
    ['a value below -100', { '42': -100.5 }],
    ['a value that is not a number', { '42': 'high' }],
  ])('refuses %s with 400', async (_label, logitBias) => {
    const answer = await post('/v1/chat/completions', { model: 'gpt-4o', messages, logit_bias: logitBias });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request' });
    expect(answer.body.error.param).toMatch(/^logit_bias/);
    expect(openAIUpstream.requests).toHaveLength(0);
  });

  it('answers 400 unsupported_parameter when the serving provider is Anthropic', async () => {
    const answer = await post('/v1/chat/completions', { model: 'claude-sonnet', messages, logit_bias: { '42': 10 } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_parameter', param: 'logit_bias' });
    expect(anthropicUpstream.requests).toHaveLength(0);
  });

  it("refuses it on a stream too (as the stream's error event: the refusal comes from the worker)", async () => {
    const stream = await openai.chat.completions.create({
      model: 'claude-sonnet',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
      logit_bias: { '42': 10 },
    });
    const error = await (async () => {
      for await (const _chunk of stream) {
        // no content is expected before the error
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String((error as Error).message)).toMatch(/logit_bias/);
    expect(anthropicUpstream.requests).toHaveLength(0);
  });

  it('lets an empty logit_bias through to Anthropic (it asks for nothing)', async () => {
    const answer = await post('/v1/chat/completions', { model: 'claude-sonnet', messages, logit_bias: {} });
    expect(answer.status).toBe(200);
  });
});

describe('image URLs: one rule for both APIs', () => {
  const imageMessage = (url: string) => ({
    model: 'claude-sonnet',
    max_tokens: 16,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'url', url } },
          { type: 'text', text: 'what is this?' },
        ],
      },
    ],
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/cat.png', 'javascript:alert(1)', 'gopher://127.0.0.1:6379/_INFO'])(
    '/v1/messages refuses %s with 400 in the Anthropic envelope',
    async (url) => {
      const error = await anthropic.messages.create(imageMessage(url) as Anthropic.MessageCreateParamsNonStreaming).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(anthropicUpstream.requests).toHaveLength(0);
    },
  );

  it('/v1/chat/completions refuses the same URLs', async () => {
    const answer = await post('/v1/chat/completions', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe('messages[0].content[0].image_url.url');
  });

  it('/v1/messages still forwards an https image URL', async () => {
    await anthropic.messages.create(imageMessage('https://example.com/cat.png') as Anthropic.MessageCreateParamsNonStreaming);
    const sent = anthropicUpstream.requests.at(-1)!.body as { messages: Array<{ content: Array<Record<string, unknown>> }> };
    expect(sent.messages[0]!.content[0]).toEqual({ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } });
  });
});

describe('absurd usage numbers from a provider', () => {
  type Job = { status?: string; usage?: Record<string, unknown> };
  type Report = { total_requests?: number; total_input_tokens?: number; total_output_tokens?: number; total_cost?: number };

  it('answers 200 with clamped, flagged usage and keeps the ledger sane', async () => {
    const tenant = await gateway.createTenant('usage-poison');
    const client = openAIClient(gateway, tenant.apiKey);
    openAIUpstream.behave('*', { usage: { input: -5, output: 1e300 } });
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    expect(data.usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0 });
    const jobId = response.headers.get('x-job-id')!;

    // The finished job and the usage report come from the ledger, written asynchronously.
    const headers = { authorization: `Bearer ${tenant.apiKey}` };
    let job: Job = {};
    for (let attempt = 0; attempt < 200 && job.status !== 'completed'; attempt++) {
      job = (await (await fetch(`${gateway.url}/v1/jobs/${jobId}`, { headers })).json()) as Job;
      if (job.status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(job.usage).toMatchObject({ input_tokens: 0, output_tokens: 0, estimated: true });
    let report: Report = {};
    for (let attempt = 0; attempt < 200 && !report.total_requests; attempt++) {
      const usage = await fetch(`${gateway.url}/v1/usage`, { headers });
      expect(usage.status).toBe(200);
      report = (await usage.json()) as Report;
      if (!report.total_requests) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(report).toMatchObject({ total_requests: 1, total_input_tokens: 0, total_output_tokens: 0, total_cost: 0 });
  });

  it('keeps believable numbers as reported', async () => {
    openAIUpstream.behave('*', { usage: { input: 12, output: 7 } });
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 7 });
  });
});
