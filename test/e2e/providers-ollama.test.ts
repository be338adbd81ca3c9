// Ollama through both SDKs: the native /api/chat (options.*, prompt_eval_count / eval_count
// as usage, tool calls without ids) and its OpenAI-compatible /v1 through the preset.
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateInputTokens, expectedMockAnswer } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const question = 'What is the weather in Paris?';
const toolResult = '18 degrees and sunny';
const weatherSchema = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };

const gateway = useGateway({
  upstreams: { ollama: { kind: 'ollama' } },
  overrides: ({ ollama }) => ({
    providers: {
      // Self-hosted: no key, enabled by its base URL (the server root, not /v1).
      ollama: { baseUrl: ollama.url, attempts: 1 },
      'ollama-openai': { kind: 'openai-compatible', requiresApiKey: false, baseUrl: `${ollama.url}/v1`, attempts: 1 },
    },
    models: {
      'llama3.2-openai': { provider: 'ollama-openai', upstreamModel: 'llama3.2' },
      'nomic-embed-text': { provider: 'ollama', capabilities: { chat: false, streaming: false, tools: false, embeddings: true } },
    },
  }),
});
const upstream = gateway.upstreams.ollama;
const openai = gateway.openai;
const anthropic = gateway.anthropic;

afterEach(() => upstream.reset());

type OllamaBody = { model: string; messages: unknown[]; stream: boolean; options?: Record<string, unknown>; tools?: unknown[] };
const lastCall = () => upstream.requests.at(-1)!;
const lastBody = () => lastCall().body as OllamaBody;

describe('openai SDK -> Ollama native /api/chat', () => {
  it('answers text with usage from prompt_eval_count / eval_count, sampling in options', async () => {
    const { data: completion, response } = await openai.chat.completions
      .create({
        model: 'llama3.2',
        temperature: 0.2,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Write a haiku about queues' },
        ],
      })
      .withResponse();
    const expected = expectedMockAnswer(['Be brief.', 'Write a haiku about queues'], 'Write a haiku about queues');
    expect(completion.model).toBe('llama3.2');
    expect(completion.choices[0]!.message.content).toBe(expected.text);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: expected.inputTokens, completion_tokens: expected.outputTokens });
    expect(response.headers.get('x-switchyard-provider')).toBe('ollama');

    const call = lastCall();
    expect(call.path).toBe('/api/chat');
    expect(call.headers.authorization).toBeUndefined();
    expect(call.body).toEqual({
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Write a haiku about queues' },
      ],
      stream: false,
      options: { temperature: 0.2 },
    });
  });

  it("round-trips a tool call: Ollama's id-less object arguments become an OpenAI tool call and back", async () => {
    upstream.behave('llama3.2', { toolArguments: '{"city": "Paris"}' });
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Current weather in a city', parameters: weatherSchema } },
    ];
    const first = await openai.chat.completions.create({ model: 'llama3.2', tools, messages: [{ role: 'user', content: question }] });
    expect(lastBody().tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Current weather in a city', parameters: weatherSchema } },
    ]);
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const toolCall = choice.message.tool_calls![0]!;
    if (toolCall.type !== 'function') throw new Error(`expected a function tool call, got ${toolCall.type}`);
    expect(toolCall.id).toMatch(/^call_/);
    expect(toolCall.function.name).toBe('get_weather');
    expect(JSON.parse(toolCall.function.arguments)).toEqual({ city: 'Paris' });
    expect(first.usage).toMatchObject({ prompt_tokens: estimateInputTokens([question]), completion_tokens: 2 });

    const second = await openai.chat.completions.create({
      model: 'llama3.2',
      tools,
      messages: [{ role: 'user', content: question }, choice.message, { role: 'tool', tool_call_id: toolCall.id, content: toolResult }],
    });
    expect(lastBody().messages).toEqual([
      { role: 'user', content: question },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: toolResult, tool_name: 'get_weather' },
    ]);
    const expected = expectedMockAnswer([question, '', toolResult], question);
    expect(second.choices[0]!.finish_reason).toBe('stop');
    expect(second.choices[0]!.message.content).toBe(expected.text);
    expect(second.usage!.prompt_tokens).toBe(expected.inputTokens);
  });

  it('gives every tool call its own id, so results across turns map back to the right tool', async () => {
    const timeTool: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } };
    const weatherTool: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_weather', parameters: weatherSchema } };
    const tools = [weatherTool, timeTool];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: question }];
    const first = await openai.chat.completions.create({
      model: 'llama3.2',
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages,
    });
    const weatherCall = first.choices[0]!.message.tool_calls![0]!;
    messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: weatherCall.id, content: toolResult }, { role: 'user', content: 'And the time?' });
    const second = await openai.chat.completions.create({
      model: 'llama3.2',
      tools,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
      messages,
    });
    const timeCall = second.choices[0]!.message.tool_calls![0]!;
    expect(timeCall.id).not.toBe(weatherCall.id);
    messages.push(second.choices[0]!.message, { role: 'tool', tool_call_id: timeCall.id, content: 'noon' });

    await openai.chat.completions.create({ model: 'llama3.2', tools, messages });
    const toolMessages = lastBody().messages.filter((message) => (message as { role: string }).role === 'tool');
    expect(toolMessages).toEqual([
      { role: 'tool', content: toolResult, tool_name: 'get_weather' },
      { role: 'tool', content: 'noon', tool_name: 'get_time' },
    ]);
  });

  it('sends max_tokens as options.num_predict and answers length when cut', async () => {
    const prompt = 'Tell me a very long story about a lighthouse keeper';
    const completion = await openai.chat.completions.create({ model: 'llama3.2', max_tokens: 3, messages: [{ role: 'user', content: prompt }] });
    expect(lastBody().options).toEqual({ num_predict: 3 });
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.choices[0]!.message.content).toBe(expectedMockAnswer([prompt], prompt, { maxTokens: 3 }).text);
    expect(completion.usage!.completion_tokens).toBe(3);
  });

  it("maps a model Ollama has not pulled to a 502 without Ollama's raw text", async () => {
    upstream.behave('llama3.2', { status: 404, errorMessage: 'model "llama3.2" not found, try pulling it first' });
    const failure = await openai.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(failure).toMatchObject({ status: 502, type: 'upstream_error' });
    expect((failure as Error).message).not.toContain('try pulling');
  });
});

describe('Anthropic SDK -> Ollama native /api/chat', () => {
  it('answers text with end_turn and usage, the system prompt as a system message', async () => {
    const message = await anthropic.messages.create({
      model: 'llama3.2',
      max_tokens: 128,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Name a river' }],
    });
    expect(lastBody()).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Name a river' },
      ],
      options: { num_predict: 128 },
    });
    const expected = expectedMockAnswer(['Be brief.', 'Name a river'], 'Name a river');
    expect(message).toMatchObject({ type: 'message', model: 'llama3.2', stop_reason: 'end_turn', content: [{ type: 'text', text: expected.text }] });
    expect(message.usage).toMatchObject({ input_tokens: expected.inputTokens, output_tokens: expected.outputTokens });
  });

  it('round-trips a tool call and stops with max_tokens when cut', async () => {
    upstream.behave('llama3.2', { toolArguments: '{"city": "Paris"}' });
    const tools = [{ name: 'get_weather', input_schema: weatherSchema }];
    const first = await anthropic.messages.create({ model: 'llama3.2', max_tokens: 128, tools, messages: [{ role: 'user', content: question }] });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.usage.output_tokens).toBe(2);
    const toolUse = first.content[0]!;
    if (toolUse.type !== 'tool_use') throw new Error(`expected a tool_use block, got ${toolUse.type}`);
    expect(toolUse).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(toolUse.id).toMatch(/^call_/);

    const second = await anthropic.messages.create({
      model: 'llama3.2',
      max_tokens: 2,
      tools,
      messages: [
        { role: 'user', content: question },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: toolResult }] },
      ],
    });
    expect(lastBody().messages).toEqual([
      { role: 'user', content: question },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: toolResult, tool_name: 'get_weather' },
    ]);
    expect(second.stop_reason).toBe('max_tokens');
    expect(second.content).toEqual([{ type: 'text', text: expectedMockAnswer([question, toolResult], question, { maxTokens: 2 }).text }]);
  });
});

describe('Ollama beyond chat', () => {
  it('serves embeddings from /api/embed with prompt_eval_count as usage', async () => {
    const response = await openai.embeddings.create({ model: 'nomic-embed-text', input: 'a sentence to embed', encoding_format: 'float' });
    expect(lastCall().path).toBe('/api/embed');
    expect(lastBody()).toMatchObject({ model: 'nomic-embed-text', input: ['a sentence to embed'] });
    expect(response.data).toHaveLength(1);
    expect(response.data[0]!.embedding).toHaveLength(8);
    expect(response.usage.prompt_tokens).toBe(estimateInputTokens(['a sentence to embed']));
  });

  it("reaches Ollama's OpenAI-compatible /v1 through the openai-compatible preset, with a config entry only", async () => {
    const completion = await openai.chat.completions.create({
      model: 'llama3.2-openai',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hello over v1' }],
    });
    const call = lastCall();
    expect(call.path).toBe('/v1/chat/completions');
    expect(call.body).toMatchObject({ model: 'llama3.2', max_tokens: 50, messages: [{ role: 'user', content: 'hello over v1' }] });
    const expected = expectedMockAnswer(['hello over v1'], 'hello over v1');
    expect(completion.choices[0]!.message.content).toBe(expected.text);
    expect(completion.usage!.completion_tokens).toBe(expected.outputTokens);
  });
});
