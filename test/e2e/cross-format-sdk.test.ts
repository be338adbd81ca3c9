// Any model through either API: @anthropic-ai/sdk on /v1/messages for an OpenAI-backed
// model, and openai on /v1/chat/completions for an Anthropic-backed one, translated both
// ways (system prompts, tools, stop reasons, usage) against the mock upstreams.
import type OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateInputTokens, expectedMockAnswer } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const openAIKey = 'sk-openai-upstream-secret-0123456789';
const anthropicKey = 'sk-ant-upstream-secret-0123456789';
const sonnet = 'claude-sonnet-4-5-20250929';
const question = 'What is the weather in Paris?';
const toolResult = '18 degrees and sunny';
const weatherSchema = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: openAIKey }, anthropic: { kind: 'anthropic', apiKey: anthropicKey } },
  overrides: (upstreams) => ({
    providers: {
      openai: { apiKey: openAIKey, baseUrl: upstreams.openai.url, attempts: 1 },
      anthropic: { apiKey: anthropicKey, baseUrl: upstreams.anthropic.url, attempts: 1 },
    },
  }),
});
const openAIUpstream = gateway.upstreams.openai;
const anthropicUpstream = gateway.upstreams.anthropic;
const anthropic = gateway.anthropic;
const openai = gateway.openai;

afterEach(() => gateway.resetUpstreams());

type OpenAIUpstreamBody = { model: string; messages: unknown[]; max_completion_tokens?: number; tools?: unknown[]; tool_choice?: unknown };
type AnthropicUpstreamBody = { model: string; max_tokens: number; system?: string; messages: unknown[]; tools?: unknown[]; tool_choice?: unknown };
const lastOpenAIBody = () => openAIUpstream.requests.at(-1)!.body as OpenAIUpstreamBody;
const lastAnthropicBody = () => anthropicUpstream.requests.at(-1)!.body as AnthropicUpstreamBody;

describe('Anthropic SDK -> /v1/messages -> gpt-4o on the OpenAI upstream', () => {
  it('answers text as an Anthropic message with end_turn and the upstream usage', async () => {
    const { data: message, response } = await anthropic.messages
      .create({ model: 'gpt-4o', max_tokens: 256, messages: [{ role: 'user', content: 'Write a haiku about queues' }] })
      .withResponse();
    const expected = expectedMockAnswer(['Write a haiku about queues'], 'Write a haiku about queues');
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'gpt-4o', stop_reason: 'end_turn' });
    expect(message.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(message.usage).toMatchObject({ input_tokens: expected.inputTokens, output_tokens: expected.outputTokens });
    expect(response.headers.get('x-switchyard-provider')).toBe('openai');

    const call = openAIUpstream.requests.at(-1)!;
    expect(call.path).toBe('/v1/chat/completions');
    expect(call.headers.authorization).toBe(`Bearer ${openAIKey}`);
    expect(call.body).toMatchObject({
      model: 'gpt-4o',
      max_completion_tokens: 256,
      stream: false,
      messages: [{ role: 'user', content: 'Write a haiku about queues' }],
    });
    expect(anthropicUpstream.requests).toHaveLength(0);
  });

  it('turns the top-level system and role: system messages into OpenAI system messages', async () => {
    const message = await anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 256,
      system: 'You are terse.',
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Name a river' },
      ],
    });
    expect(lastOpenAIBody().messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'Name a river' },
    ]);
    const expected = expectedMockAnswer(['You are terse.', 'Answer in French.', 'Name a river'], 'Name a river');
    expect(message.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(message.usage.input_tokens).toBe(expected.inputTokens);
  });

  it('round-trips a tool call: OpenAI tool_calls become tool_use, tool_result becomes a role: tool message', async () => {
    openAIUpstream.behave('gpt-4o', { toolArguments: '{"city": "Paris"}' });
    const tools = [{ name: 'get_weather', description: 'Current weather in a city', input_schema: weatherSchema }];
    const first = await anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 256,
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: question }],
    });
    expect(lastOpenAIBody()).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather in a city', parameters: weatherSchema } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toHaveLength(1);
    const toolUse = first.content[0]!;
    if (toolUse.type !== 'tool_use') throw new Error(`expected a tool_use block, got ${toolUse.type}`);
    expect(toolUse).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(toolUse.id).toMatch(/^call_/);
    expect(first.usage).toMatchObject({ input_tokens: estimateInputTokens([question]), output_tokens: 2 });

    const second = await anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 256,
      tools,
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: toolResult }] },
      ],
    });
    expect(lastOpenAIBody().messages).toEqual([
      { role: 'user', content: question },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: toolUse.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: toolUse.id, content: toolResult },
    ]);
    const expected = expectedMockAnswer([question, toolResult], question);
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(second.usage.input_tokens).toBe(expected.inputTokens);
  });

  it('maps finish_reason length to max_tokens', async () => {
    const prompt = 'Tell me a very long story about a lighthouse keeper';
    const message = await anthropic.messages.create({ model: 'gpt-4o', max_tokens: 3, messages: [{ role: 'user', content: prompt }] });
    expect(lastOpenAIBody().max_completion_tokens).toBe(3);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.content).toEqual([{ type: 'text', text: expectedMockAnswer([prompt], prompt, { maxTokens: 3 }).text }]);
    expect(message.usage.output_tokens).toBe(3);
  });

  it('reports OpenAI cached prompt tokens as cache_read_input_tokens, outside input_tokens', async () => {
    openAIUpstream.behave('gpt-4o', { usage: { input: 120, output: 7, cached: 100 } });
    const message = await anthropic.messages.create({ model: 'gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: 'hello again' }] });
    expect(message.usage).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 7 });
  });
});

describe('openai SDK -> /v1/chat/completions -> claude-sonnet-4-5 on the Anthropic upstream', () => {
  it('answers text as a chat.completion with stop, the upstream usage and a default max_tokens upstream', async () => {
    const { data: completion, response } = await openai.chat.completions
      .create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Write a haiku about queues' }] })
      .withResponse();
    const expected = expectedMockAnswer(['Write a haiku about queues'], 'Write a haiku about queues');
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('claude-sonnet-4-5');
    expect(completion.choices[0]!.message.content).toBe(expected.text);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: expected.inputTokens,
      completion_tokens: expected.outputTokens,
      total_tokens: expected.inputTokens + expected.outputTokens,
    });
    expect(response.headers.get('x-switchyard-provider')).toBe('anthropic');

    const call = anthropicUpstream.requests.at(-1)!;
    expect(call.headers['x-api-key']).toBe(anthropicKey);
    expect(call.headers['anthropic-version']).toBe('2023-06-01');
    // Anthropic requires max_tokens; the adapter's default fills it in.
    expect(call.body).toMatchObject({
      model: sonnet,
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Write a haiku about queues' }] }],
    });
    expect(openAIUpstream.requests).toHaveLength(0);
  });

  it("hoists system and developer messages into Anthropic's top-level system", async () => {
    const completion = await openai.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: 'Name a river' },
      ],
    });
    const body = lastAnthropicBody();
    expect(body.system).toBe('You are terse.\n\nAnswer in French.');
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Name a river' }] }]);
    const expected = expectedMockAnswer([body.system!, 'Name a river'], 'Name a river');
    expect(completion.choices[0]!.message.content).toBe(expected.text);
    expect(completion.usage!.prompt_tokens).toBe(expected.inputTokens);
  });

  it('round-trips a tool call: tool_use becomes tool_calls, a role: tool message becomes a tool_result block', async () => {
    anthropicUpstream.behave(sonnet, { toolArguments: '{"city": "Paris"}' });
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Current weather in a city', parameters: weatherSchema } },
    ];
    const first = await openai.chat.completions.create({
      model: 'claude-sonnet-4-5',
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [{ role: 'user', content: question }],
    });
    expect(lastAnthropicBody()).toMatchObject({
      tools: [{ name: 'get_weather', description: 'Current weather in a city', input_schema: weatherSchema }],
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const toolCall = choice.message.tool_calls![0]!;
    if (toolCall.type !== 'function') throw new Error(`expected a function tool call, got ${toolCall.type}`);
    expect(toolCall.id).toMatch(/^toolu_/);
    expect(toolCall.function.name).toBe('get_weather');
    expect(JSON.parse(toolCall.function.arguments)).toEqual({ city: 'Paris' });
    expect(first.usage).toMatchObject({ prompt_tokens: estimateInputTokens([question]), completion_tokens: 2 });

    const second = await openai.chat.completions.create({
      model: 'claude-sonnet-4-5',
      tools,
      messages: [{ role: 'user', content: question }, choice.message, { role: 'tool', tool_call_id: toolCall.id, content: toolResult }],
    });
    expect(lastAnthropicBody().messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: question }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: toolCall.id, name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolCall.id, content: toolResult }] },
    ]);
    const expected = expectedMockAnswer([question, toolResult], question);
    expect(second.choices[0]!.finish_reason).toBe('stop');
    expect(second.choices[0]!.message.content).toBe(expected.text);
    expect(second.usage!.prompt_tokens).toBe(expected.inputTokens);
  });

  it('maps stop_reason max_tokens to finish_reason length', async () => {
    const prompt = 'Tell me a very long story about a lighthouse keeper';
    const completion = await openai.chat.completions.create({
      model: 'claude-sonnet-4-5',
      max_completion_tokens: 3,
      messages: [{ role: 'user', content: prompt }],
    });
    expect(lastAnthropicBody().max_tokens).toBe(3);
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.choices[0]!.message.content).toBe(expectedMockAnswer([prompt], prompt, { maxTokens: 3 }).text);
    expect(completion.usage!.completion_tokens).toBe(3);
  });

  it('counts Anthropic cache reads into prompt_tokens and reports them as cached_tokens', async () => {
    anthropicUpstream.behave(sonnet, { usage: { input: 120, output: 7, cached: 100 } });
    const completion = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hello again' }] });
    expect(completion.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 100 } });
  });
});
