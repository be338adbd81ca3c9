// Azure OpenAI through both SDKs: deployment-name URLs, the `api-key` header and the
// `api-version` query, against the mock OpenAI upstream's Azure routes.
import type OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateInputTokens, expectedMockAnswer, mockEmbedding } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const azureKey = 'azure-upstream-secret-0123456789';
const deployment = 'my-gpt-4o-deployment';
const apiVersion = '2024-10-21';
const question = 'What is the weather in Paris?';
const toolResult = '18 degrees and sunny';
const weatherSchema = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };

const gateway = useGateway({
  upstreams: { azure: { kind: 'openai', apiKey: azureKey } },
  overrides: ({ azure }) => ({
    // Azure URLs hang off the resource origin (https://<resource>.openai.azure.com), not /v1.
    providers: { 'azure-openai': { apiKey: azureKey, baseUrl: azure.origin, apiVersion, attempts: 1 } },
    models: {
      'azure-gpt-4o': { provider: 'azure-openai', upstreamModel: deployment },
      'azure-embedding': {
        provider: 'azure-openai',
        upstreamModel: 'my-embedding-deployment',
        capabilities: { chat: false, streaming: false, tools: false, embeddings: true },
      },
    },
  }),
});
const upstream = gateway.upstreams.azure;
const openai = gateway.openai;
const anthropic = gateway.anthropic;

afterEach(() => upstream.reset());

type UpstreamBody = { messages: unknown[]; max_tokens?: number; tools?: unknown[]; tool_choice?: unknown };
const lastCall = () => upstream.requests.at(-1)!;
const lastBody = () => lastCall().body as UpstreamBody;

function expectAzureCall(endpoint: string, deploymentName = deployment) {
  const call = lastCall();
  expect(call.path).toBe(`/openai/deployments/${deploymentName}/${endpoint}`);
  expect(call.query).toEqual({ 'api-version': apiVersion });
  expect(call.headers['api-key']).toBe(azureKey);
  expect(call.headers.authorization).toBeUndefined();
}

describe('openai SDK -> Azure OpenAI deployment', () => {
  it('answers text with stop and the upstream usage, calling the deployment URL with api-key and api-version', async () => {
    const { data: completion, response } = await openai.chat.completions
      .create({
        model: 'azure-gpt-4o',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Write a haiku about queues' },
        ],
      })
      .withResponse();
    const expected = expectedMockAnswer(['Be brief.', 'Write a haiku about queues'], 'Write a haiku about queues');
    expect(completion.model).toBe('azure-gpt-4o');
    expect(completion.choices[0]!.message.content).toBe(expected.text);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: expected.inputTokens, completion_tokens: expected.outputTokens });
    expect(response.headers.get('x-switchyard-provider')).toBe('azure-openai');
    expectAzureCall('chat/completions');
    expect(lastBody().messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Write a haiku about queues' },
    ]);
  });

  it('round-trips a tool call', async () => {
    upstream.behave(deployment, { toolArguments: '{"city": "Paris"}' });
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: weatherSchema } }];
    const first = await openai.chat.completions.create({
      model: 'azure-gpt-4o',
      tools,
      tool_choice: 'required',
      messages: [{ role: 'user', content: question }],
    });
    expect(lastBody().tool_choice).toBe('required');
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const toolCall = choice.message.tool_calls![0]!;
    if (toolCall.type !== 'function') throw new Error(`expected a function tool call, got ${toolCall.type}`);
    expect(toolCall.function.name).toBe('get_weather');
    expect(JSON.parse(toolCall.function.arguments)).toEqual({ city: 'Paris' });
    expect(first.usage).toMatchObject({ prompt_tokens: estimateInputTokens([question]), completion_tokens: 2 });

    const second = await openai.chat.completions.create({
      model: 'azure-gpt-4o',
      tools,
      messages: [{ role: 'user', content: question }, choice.message, { role: 'tool', tool_call_id: toolCall.id, content: toolResult }],
    });
    expectAzureCall('chat/completions');
    expect(lastBody().messages).toEqual([
      { role: 'user', content: question },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: toolCall.id, type: 'function', function: { name: 'get_weather', arguments: toolCall.function.arguments } }],
      },
      { role: 'tool', tool_call_id: toolCall.id, content: toolResult },
    ]);
    const expected = expectedMockAnswer([question, toolResult], question);
    expect(second.choices[0]!.message.content).toBe(expected.text);
    expect(second.choices[0]!.finish_reason).toBe('stop');
  });

  it('answers finish_reason length for a small max_tokens', async () => {
    const prompt = 'Tell me a very long story about a lighthouse keeper';
    const completion = await openai.chat.completions.create({ model: 'azure-gpt-4o', max_tokens: 3, messages: [{ role: 'user', content: prompt }] });
    expect(lastBody().max_tokens).toBe(3);
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.choices[0]!.message.content).toBe(expectedMockAnswer([prompt], prompt, { maxTokens: 3 }).text);
  });

  it('serves embeddings from an embedding deployment', async () => {
    const response = await openai.embeddings.create({ model: 'azure-embedding', input: ['first text', 'second text'], dimensions: 4 });
    expectAzureCall('embeddings', 'my-embedding-deployment');
    expect(response.model).toBe('azure-embedding');
    expect(response.data.map((item) => item.index)).toEqual([0, 1]);
    expect(response.data[0]!.embedding).toHaveLength(4);
    for (const [index, value] of mockEmbedding('second text', 4).entries()) expect(response.data[1]!.embedding[index]).toBeCloseTo(value, 6);
    expect(response.usage.prompt_tokens).toBe(estimateInputTokens(['first text']) + estimateInputTokens(['second text']));
  });
});

describe('Anthropic SDK -> Azure OpenAI deployment', () => {
  it('answers text with end_turn and usage, the system prompt sent as an OpenAI system message', async () => {
    const message = await anthropic.messages.create({
      model: 'azure-gpt-4o',
      max_tokens: 128,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Name a river' }],
    });
    expectAzureCall('chat/completions');
    expect(lastBody().messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Name a river' },
    ]);
    const expected = expectedMockAnswer(['Be brief.', 'Name a river'], 'Name a river');
    expect(message).toMatchObject({ type: 'message', model: 'azure-gpt-4o', stop_reason: 'end_turn', content: [{ type: 'text', text: expected.text }] });
    expect(message.usage).toMatchObject({ input_tokens: expected.inputTokens, output_tokens: expected.outputTokens });
  });

  it('round-trips a tool call and stops with max_tokens when cut', async () => {
    upstream.behave(deployment, { toolArguments: '{"city": "Paris"}' });
    const tools = [{ name: 'get_weather', input_schema: weatherSchema }];
    const first = await anthropic.messages.create({
      model: 'azure-gpt-4o',
      max_tokens: 128,
      tools,
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: question }],
    });
    expect(lastBody().tool_choice).toBe('required');
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content[0]!;
    if (toolUse.type !== 'tool_use') throw new Error(`expected a tool_use block, got ${toolUse.type}`);
    expect(toolUse).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });

    const second = await anthropic.messages.create({
      model: 'azure-gpt-4o',
      max_tokens: 2,
      tools,
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: toolResult }] },
      ],
    });
    expect(lastBody().messages).toContainEqual({ role: 'tool', tool_call_id: toolUse.id, content: toolResult });
    expect(second.stop_reason).toBe('max_tokens');
    expect(second.content).toEqual([{ type: 'text', text: expectedMockAnswer([question, toolResult], question, { maxTokens: 2 }).text }]);
    expect(second.usage.output_tokens).toBe(2);
  });
});
