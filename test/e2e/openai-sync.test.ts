import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { eventually, expectedMockAnswer } from '@switchyard/testing';
import { openAIClient } from '../support/clients.ts';
import { useGateway } from '../support/use-gateway.ts';

const upstreamKey = 'sk-upstream-secret-0123456789';

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: upstreamKey } },
  overrides: ({ openai }) => ({ providers: { openai: { apiKey: upstreamKey, baseUrl: openai.url, attempts: 1 } } }),
});
const upstream = gateway.upstreams.openai;
const client = gateway.openai;

async function http(path: string, init: RequestInit & { key?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set('authorization', `Bearer ${init.key ?? gateway.apiKey}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const response = await fetch(`${gateway.url}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

describe('sync chat completions through the queue (openai SDK)', () => {
  it('answers with the upstream content and usage, and the routing headers', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Write a haiku about queues' },
        ],
      })
      .withResponse();
    const expected = expectedMockAnswer(['Be brief.', 'Write a haiku about queues'], 'Write a haiku about queues');
    expect(data.choices[0]!.message.content).toBe(expected.text);
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: expected.inputTokens, completion_tokens: expected.outputTokens });
    expect(data.object).toBe('chat.completion');
    expect(response.headers.get('x-switchyard-provider')).toBe('openai');
    expect(response.headers.get('x-switchyard-model')).toBe('gpt-4o');
    expect(response.headers.get('x-switchyard-attempts')).toBe('1');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(response.headers.get('x-job-id')).toBe(response.headers.get('x-request-id'));
    const upstreamCall = upstream.requests.at(-1)!;
    expect(upstreamCall.headers.authorization).toBe(`Bearer ${upstreamKey}`);
    expect((upstreamCall.body as { model: string }).model).toBe('gpt-4o');
  });

  it('serves the built-in mock provider with no key at all', async () => {
    const completion = await client.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'hello there' }] });
    expect(completion.choices[0]!.message.content).toBe('This is a mock response to: hello there');
    expect(completion.usage!.completion_tokens).toBe(8);
  });

  it('lists models with aliases, pricing and owners', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model as unknown as Record<string, unknown>);
    const ids = models.map((model) => model.id);
    expect(ids).toContain('gpt-4o');
    expect(ids).toContain('mock-fast');
    expect(ids).toContain('cheap');
    expect(ids).not.toContain('claude-sonnet-4-5'); // anthropic has no key in this test
    const cheap = models.find((model) => model.id === 'cheap')!;
    expect(cheap.alias_of).toBe('gpt-4o-mini');
    expect(cheap.owned_by).toBe('openai');
    expect(cheap.pricing).toEqual({ input_per_million: 0.15, output_per_million: 0.6, currency: 'USD' });
    const single = await client.models.retrieve('gpt-4o');
    expect(single.owned_by).toBe('openai');
  });

  it('refuses a missing or wrong key with 401 in the OpenAI envelope', async () => {
    const missing = await http('/v1/models', { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ type: 'authentication_error', code: 'missing_api_key' });
    const wrong = openAIClient(gateway, 'sk-sy-not-a-key');
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401 });
    const viaHeader = await http('/v1/models', { key: null, headers: { 'x-api-key': gateway.apiKey } });
    expect(viaHeader.status).toBe(200);
  });

  it('answers 404 model_not_found for an unknown model', async () => {
    await expect(client.chat.completions.create({ model: 'gpt-9000', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('answers 400 for out-of-range parameters, naming the parameter', async () => {
    await expect(client.chat.completions.create({ model: 'gpt-4o', temperature: 3, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 400,
      param: 'temperature',
    });
    await expect(client.chat.completions.create({ model: 'gpt-4o', top_p: 1.5, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 400,
    });
    await expect(client.chat.completions.create({ model: 'gpt-4o', max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 400,
    });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toMatchObject({ status: 400 });
  });

  it('reads a JSON body whatever its content type says (curl sends a form type by default)', async () => {
    const answer = await http('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ model: 'mock-fast', messages: [{ role: 'user', content: 'from curl' }] }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.choices[0].message.content).toBe('This is a mock response to: from curl');
  });

  it('answers 400 invalid_json for malformed JSON and 413 for an oversized body', async () => {
    const malformed = await http('/v1/chat/completions', { method: 'POST', body: '{"model": "gpt-4o", "messages": [' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    const huge = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(gateway.config.server.bodyLimitBytes + 10) }] });
    const oversized = await http('/v1/chat/completions', { method: 'POST', body: huge });
    expect(oversized.status).toBe(413);
    expect(oversized.body.error.code).toBe('request_too_large');
    expect(oversized.headers.get('x-request-id')).toMatch(/^req_/);
  });
});

describe('async jobs', () => {
  const chatBody = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Draft a blog intro about durable queues' }] };

  it('submits, polls to completion, and the output equals the sync chat body', async () => {
    const created = await http('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({ endpoint: '/v1/chat/completions', body: chatBody, metadata: { app: 'blog' } }),
    });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/v1/jobs/${created.body.id}`);
    expect(created.body).toMatchObject({ object: 'job', status: 'queued', endpoint: '/v1/chat/completions', model: 'gpt-4o', metadata: { app: 'blog' } });

    const job = await eventually('the job to finish', async () => {
      const polled = (await http(`/v1/jobs/${created.body.id}`)).body;
      return ['completed', 'failed'].includes(polled.status) && polled;
    });
    expect(job.status).toBe('completed');
    const sync = await client.chat.completions.create(chatBody as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(job.output.choices).toEqual(sync.choices);
    expect(job.output.usage).toEqual(sync.usage);
    expect(job.output.object).toBe('chat.completion');
    expect(job.usage).toMatchObject({ input_tokens: sync.usage!.prompt_tokens, output_tokens: sync.usage!.completion_tokens });
    expect(job.cost_usd).toMatch(/^\d+\.\d+$/);
    expect(job.attempts).toBe(1);
    expect(job.provider).toBe('openai');
  });

  it('reads a finished job from Postgres once Redis has let it go', async () => {
    const done = await http('/v1/jobs', {
      method: 'POST',
      headers: { prefer: 'wait=10' },
      body: JSON.stringify({ endpoint: '/v1/chat/completions', body: chatBody }),
    });
    expect(done.body.status).toBe('completed');
    // The ledger writes finished jobs asynchronously: wait until the list (Postgres) has it finished.
    await eventually('the finished job in the Postgres list', async () =>
      (await http('/v1/jobs?limit=100')).body.data.some((job: { id: string; status: string }) => job.id === done.body.id && job.status === 'completed'),
    );
    expect(await gateway.api.context.queues.get('openai').remove(done.body.id)).toBe(1);
    const fromPostgres = await http(`/v1/jobs/${done.body.id}`);
    expect(fromPostgres.status).toBe(200);
    expect(fromPostgres.body).toEqual(done.body);
    const other = await gateway.createTenant('org-c');
    expect((await http(`/v1/jobs/${done.body.id}`, { key: other.apiKey })).status).toBe(404);
  });

  it('honours Prefer: wait=N and returns the finished job', async () => {
    const done = await http('/v1/jobs', {
      method: 'POST',
      headers: { prefer: 'wait=10' },
      body: JSON.stringify({ endpoint: '/v1/chat/completions', body: chatBody }),
    });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    expect(done.body.output.choices[0].message.content).toContain('echo: Draft a blog intro');
  });

  it('turns any inference route into a job with Prefer: respond-async', async () => {
    const accepted = await http('/v1/chat/completions', { method: 'POST', headers: { prefer: 'respond-async' }, body: JSON.stringify(chatBody) });
    expect(accepted.status).toBe(202);
    expect(accepted.body.object).toBe('job');
  });

  it('cancels a running job, aborting the upstream call, and cancel is idempotent', async () => {
    upstream.behave('gpt-4o-mini', { stall: true });
    const created = await http('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({ endpoint: '/v1/chat/completions', body: { ...chatBody, model: 'gpt-4o-mini' } }),
    });
    const state = await eventually('the job to start', async () => {
      const status = (await http(`/v1/jobs/${created.body.id}`)).body.status;
      return status === 'in_progress' && status;
    });
    expect(state).toBe('in_progress');
    const abortedBefore = upstream.abortedRequests;
    const cancelled = await http(`/v1/jobs/${created.body.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(upstream.abortedRequests).toBeGreaterThan(abortedBefore);
    const again = await http(`/v1/jobs/${created.body.id}/cancel`, { method: 'POST' });
    expect(again.body.status).toBe('cancelled');
    upstream.behave('gpt-4o-mini', {});
  });

  it("hides another org's job behind 404", async () => {
    const created = await http('/v1/jobs', { method: 'POST', body: JSON.stringify({ endpoint: '/v1/chat/completions', body: chatBody }) });
    const other = await gateway.createTenant('org-b');
    const peek = await http(`/v1/jobs/${created.body.id}`, { key: other.apiKey });
    expect(peek.status).toBe(404);
    expect(peek.body.error.type).toBe('not_found_error');
    const cancel = await http(`/v1/jobs/${created.body.id}/cancel`, { method: 'POST', key: other.apiKey });
    expect(cancel.status).toBe(404);
  });

  it('rejects a job with a bad endpoint or body in the documented envelope', async () => {
    const badEndpoint = await http('/v1/jobs', { method: 'POST', body: JSON.stringify({ endpoint: '/v1/nope', body: chatBody }) });
    expect(badEndpoint.status).toBe(400);
    expect(badEndpoint.body.error.param).toBe('endpoint');
    const badBody = await http('/v1/jobs', { method: 'POST', body: JSON.stringify({ endpoint: '/v1/chat/completions', body: { model: 'gpt-4o' } }) });
    expect(badBody.status).toBe(400);
  });
});
