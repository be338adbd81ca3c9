// @anthropic-ai/sdk against POST /v1/messages for an Anthropic-backed model, served by the
// mock Anthropic upstream through the queue and a worker.
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateInputTokens, expectedMockAnswer } from '@switchyard/testing';
import { anthropicClient } from '../support/clients.ts';
import { useGateway } from '../support/use-gateway.ts';

const upstreamKey = 'sk-ant-upstream-secret-0123456789';
const sonnet = 'claude-sonnet-4-5-20250929';
// The alias of claude-sonnet-4-5: the SDK prints a deprecation warning for that id.
const alias = 'claude-sonnet';

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

const gateway = useGateway({
  upstreams: { anthropic: { kind: 'anthropic', apiKey: upstreamKey } },
  // claude-sonnet now follows the current Sonnet; these tests keep exercising claude-sonnet-4-5.
  overrides: ({ anthropic }) => ({
    providers: { anthropic: { apiKey: upstreamKey, baseUrl: anthropic.url, attempts: 1 } },
    aliases: { 'claude-sonnet': 'claude-sonnet-4-5' },
  }),
});
const upstream = gateway.upstreams.anthropic;
const client = gateway.anthropic;

afterEach(() => upstream.reset());

type UpstreamBody = {
  model: string;
  max_tokens: number;
  system?: string;
  messages: { role: string; content: unknown }[];
  tools?: unknown[];
  tool_choice?: unknown;
};
const lastUpstreamBody = () => upstream.requests.at(-1)!.body as UpstreamBody;

async function postMessages(path: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('Anthropic SDK -> /v1/messages -> Anthropic upstream', () => {
  it('answers text with end_turn, the upstream usage and the routing headers', async () => {
    const question = 'Write a haiku about queues';
    const { data: message, response } = await client.messages
      .create({ model: alias, max_tokens: 256, messages: [{ role: 'user', content: question }] })
      .withResponse();
    const expected = expectedMockAnswer([question], question);
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.id).toMatch(/^msg_/);
    expect(message.model).toBe('claude-sonnet-4-5');
    expect(message.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBe(expected.inputTokens);
    expect(message.usage.output_tokens).toBe(expected.outputTokens);
    expect(response.headers.get('x-switchyard-provider')).toBe('anthropic');
    expect(response.headers.get('x-switchyard-model')).toBe('claude-sonnet-4-5');

    const call = upstream.requests.at(-1)!;
    expect(call.path).toBe('/v1/messages');
    expect(call.headers['x-api-key']).toBe(upstreamKey);
    expect(call.headers['anthropic-version']).toBe('2023-06-01');
    expect(call.body).toMatchObject({ model: sonnet, max_tokens: 256, messages: [{ role: 'user', content: [{ type: 'text', text: question }] }] });
  });

  it('sends a top-level system prompt and role: system messages upstream as one system field', async () => {
    const message = await client.messages.create({
      model: alias,
      max_tokens: 256,
      system: 'You are terse.',
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Name a river' },
      ],
    });
    const body = lastUpstreamBody();
    expect(body.system).toBe('You are terse.\n\nAnswer in French.');
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Name a river' }] }]);
    const expected = expectedMockAnswer([body.system!, 'Name a river'], 'Name a river');
    expect(message.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(message.usage.input_tokens).toBe(expected.inputTokens);
  });

  it('round-trips a tool call: tool_use with parsed input, then the tool_result reaches the upstream', async () => {
    upstream.behave(sonnet, { toolArguments: '{"city": "Paris"}' });
    const question = 'What is the weather in Paris?';
    const first = await client.messages.create({
      model: alias,
      max_tokens: 256,
      tools: [weatherTool],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: question }],
    });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toHaveLength(1);
    const toolUse = first.content[0]!;
    if (toolUse.type !== 'tool_use') throw new Error(`expected a tool_use block, got ${toolUse.type}`);
    expect(toolUse).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(toolUse.id).toMatch(/^toolu_/);
    expect(first.usage).toMatchObject({ input_tokens: estimateInputTokens([question]), output_tokens: 2 });
    expect(lastUpstreamBody()).toMatchObject({
      tools: [{ name: 'get_weather', description: weatherTool.description, input_schema: weatherTool.input_schema }],
      tool_choice: { type: 'tool', name: 'get_weather' },
    });

    const toolResult = '18 degrees and sunny';
    const second = await client.messages.create({
      model: alias,
      max_tokens: 256,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: toolResult }] },
      ],
    });
    const expected = expectedMockAnswer([question, toolResult], question);
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(second.usage.input_tokens).toBe(expected.inputTokens);
    expect(lastUpstreamBody().messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: question }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: toolUse.id, name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: toolResult }] },
    ]);
  });

  it('stops with max_tokens when the answer is cut', async () => {
    const question = 'Tell me a very long story about a lighthouse keeper';
    const message = await client.messages.create({ model: alias, max_tokens: 3, messages: [{ role: 'user', content: question }] });
    const expected = expectedMockAnswer([question], question, { maxTokens: 3 });
    expect(expected.truncated).toBe(true);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(message.usage.output_tokens).toBe(3);
    expect(lastUpstreamBody().max_tokens).toBe(3);
  });

  it('passes cached input tokens through as cache_read_input_tokens', async () => {
    upstream.behave(sonnet, { usage: { input: 120, output: 7, cached: 100 } });
    const message = await client.messages.create({ model: alias, max_tokens: 64, messages: [{ role: 'user', content: 'hello again' }] });
    expect(message.usage).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 7 });
  });

  it('falls back along the chain when the first model is overloaded, and says which model served', async () => {
    upstream.behave(sonnet, { status: 529 });
    const { data: message, response } = await client.messages
      .create({ model: alias, max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    expect(message.model).toBe('claude-sonnet-4');
    expect(response.headers.get('x-switchyard-model')).toBe('claude-sonnet-4');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(upstream.requests.map((request) => (request.body as UpstreamBody).model)).toEqual([sonnet, 'claude-sonnet-4-20250514']);
  });

  it('answers 503 overloaded_error in the Anthropic envelope when every route is overloaded', async () => {
    upstream.behave('*', { status: 529 });
    const failure = await client.messages
      .create({ model: alias, max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.InternalServerError);
    expect(failure).toMatchObject({ status: 503, type: 'overloaded_error' });
  });

  it('serves the built-in mock provider in the Anthropic dialect', async () => {
    const message = await client.messages.create({ model: 'mock-fast', max_tokens: 64, messages: [{ role: 'user', content: 'hello there' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'This is a mock response to: hello there' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(8);
  });
});

describe('Anthropic errors and auth on /v1/messages', () => {
  it('raises NotFoundError with not_found_error for an unknown model', async () => {
    const failure = await client.messages
      .create({ model: 'claude-9000', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.NotFoundError);
    expect(failure).toMatchObject({ status: 404, type: 'not_found_error' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('raises BadRequestError with invalid_request_error for a bad body, in the Anthropic envelope', async () => {
    const missingMaxTokens = await postMessages(
      '/v1/messages',
      { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${gateway.apiKey}` },
    );
    expect(missingMaxTokens.status).toBe(400);
    expect(missingMaxTokens.body.type).toBe('error');
    expect(missingMaxTokens.body.error.type).toBe('invalid_request_error');
    expect(missingMaxTokens.body.error.message).toContain('max_tokens');

    const noRoom = await client.messages.create({ model: alias, max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(noRoom).toBeInstanceOf(Anthropic.BadRequestError);
    expect(noRoom).toMatchObject({ status: 400, type: 'invalid_request_error' });
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses a wrong key with AuthenticationError in the Anthropic envelope', async () => {
    const stranger = anthropicClient(gateway, 'sk-sy-not-a-key');
    const failure = await stranger.messages
      .create({ model: alias, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(failure).toMatchObject({ status: 401, type: 'authentication_error' });
  });

  it('accepts x-api-key as older Anthropic SDKs send it, on /v1/messages and /api/ai/anthropic/messages', async () => {
    const body = { model: alias, max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] };
    const headers = { 'x-api-key': gateway.apiKey, 'anthropic-version': '2023-06-01' };
    const expected = expectedMockAnswer(['ping'], 'ping');
    for (const path of ['/v1/messages', '/api/ai/anthropic/messages']) {
      const answer = await postMessages(path, body, headers);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ type: 'message', content: [{ type: 'text', text: expected.text }], stop_reason: 'end_turn' });
    }
    const unknown = await postMessages('/api/ai/anthropic/messages', { ...body, model: 'nope' }, headers);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});
