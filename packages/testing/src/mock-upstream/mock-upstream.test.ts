// The mock upstreams checked with the official SDKs, so their wire shapes are the real ones.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectedMockAnswer, startMockAnthropicUpstream, startMockOllamaUpstream, startMockOpenAIUpstream, type MockUpstream } from './index.ts';

describe('mock OpenAI upstream', () => {
  let upstream: MockUpstream;
  let client: OpenAI;
  beforeAll(async () => {
    upstream = await startMockOpenAIUpstream({ apiKey: 'sk-test-key' });
    client = new OpenAI({ apiKey: 'sk-test-key', baseURL: upstream.url, maxRetries: 0 });
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());

  it('answers chat with the echo rule and usage', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello there' },
      ],
    });
    const expected = expectedMockAnswer(['be brief', 'hello there'], 'hello there');
    expect(completion.choices[0]?.message.content).toBe('echo: hello there');
    expect(completion.usage?.prompt_tokens).toBe(expected.inputTokens);
    expect(completion.usage?.completion_tokens).toBe(3);
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer sk-test-key');
  });

  it('streams one delta per word and a usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'one two' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) deltas.push(content);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas).toEqual(['echo:', ' one', ' two']);
    expect(usage?.completion_tokens).toBe(3);
  });

  it('refuses a prompt longer than maxPromptCharacters as OpenAI does', async () => {
    upstream.behave('*', { maxPromptCharacters: 10 });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'short' }] })).resolves.toBeDefined();
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'far too long a prompt' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' });
  });

  it('forces a tool call when tool_choice requires one', async () => {
    upstream.behave('*', { toolArguments: '{"city": "Paris"}' });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      tool_choice: 'required',
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function : undefined).toEqual({ name: 'get_weather', arguments: '{"city": "Paris"}' });
  });

  it('fails with the OpenAI envelope and retry-after, then recovers', async () => {
    upstream.behave('gpt-4o', { status: 429, retryAfterSeconds: 2, failTimes: 1, errorMessage: 'slow down' });
    const error = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).message).toContain('slow down');
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('2');
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.message.content).toBe('echo: x');
  });

  it('serves embeddings as base64 the SDK decodes', async () => {
    const response = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 4 });
    expect(response.data).toHaveLength(2);
    const first = response.data[0]!.embedding;
    expect(first).toHaveLength(4);
    expect(Math.hypot(...first)).toBeCloseTo(1, 5);
  });

  it('rejects a wrong key, echoing it the way careless upstreams do', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: upstream.url, maxRetries: 0 });
    const error = await wrong.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(String((error as Error).message)).toContain('sk-wrong');
  });

  it('counts a client that goes away mid-stream and closes stalled sockets on close()', async () => {
    upstream.behave('*', { tokenDelayMs: 50, text: 'a b c d e f g h i j' });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true },
      { signal: controller.signal },
    );
    let seen = 0;
    // The SDK ends the loop quietly on abort; the server must still see the client leave.
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++seen === 2) controller.abort();
    }
    expect(seen).toBe(2);
    await expect.poll(() => upstream.abortedRequests).toBe(1);

    const stalled = await startMockOpenAIUpstream();
    stalled.behave('*', { stall: true });
    const pending = fetch(`${stalled.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }) }).catch(
      (caught: unknown) => caught,
    );
    await expect.poll(() => stalled.requests.length).toBe(1);
    await stalled.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('mock Anthropic upstream', () => {
  let upstream: MockUpstream;
  let client: Anthropic;
  beforeAll(async () => {
    upstream = await startMockAnthropicUpstream();
    client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: upstream.url, maxRetries: 0 });
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());

  it('answers and streams the exact event sequence', async () => {
    const message = await client.messages.create({ model: 'claude-x', max_tokens: 100, system: 'sys', messages: [{ role: 'user', content: 'hi you' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'echo: hi you' }]);
    expect(message.usage.input_tokens).toBe(expectedMockAnswer(['sys', 'hi you'], 'hi you').inputTokens);

    const final = await client.messages.stream({ model: 'claude-x', max_tokens: 2, messages: [{ role: 'user', content: 'hi you' }] }).finalMessage();
    expect(final.stop_reason).toBe('max_tokens');
    expect(final.content).toEqual([{ type: 'text', text: 'echo: hi' }]);
    expect(final.usage.output_tokens).toBe(2);

    // The SDK hides pings, so the raw sequence is read off the wire.
    const response = await fetch(`${upstream.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-x', max_tokens: 2, stream: true, messages: [{ role: 'user', content: 'hi you' }] }),
    });
    const events = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(events).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('answers with tool_use when a tool is forced', async () => {
    const message = await client.messages.create({
      model: 'claude-x',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any' },
    });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: {} });
  });

  it('reports cache reads and writes apart from input_tokens, in JSON and in the stream', async () => {
    upstream.behave('claude-x', { usage: { input: 2300, output: 4, cached: 2048, cacheWrite: 188 } });
    const expected = { input_tokens: 64, cache_read_input_tokens: 2048, cache_creation_input_tokens: 188, output_tokens: 4 };
    const message = await client.messages.create({ model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.usage).toMatchObject(expected);
    const streamed = await client.messages.stream({ model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(streamed.usage).toMatchObject(expected);
  });

  it('stops before the first requested stop sequence the answer contains', async () => {
    const request = {
      model: 'claude-x',
      max_tokens: 100,
      stop_sequences: ['never', ' three', ' two'],
      messages: [{ role: 'user' as const, content: 'one two three four' }],
    };
    const message = await client.messages.create(request);
    expect(message).toMatchObject({
      content: [{ type: 'text', text: 'echo: one' }],
      stop_reason: 'stop_sequence',
      stop_sequence: ' two',
      usage: { output_tokens: 2 },
    });
    const streamed = await client.messages.stream(request).finalMessage();
    expect(streamed).toMatchObject({
      content: [{ type: 'text', text: 'echo: one' }],
      stop_reason: 'stop_sequence',
      stop_sequence: ' two',
      usage: { output_tokens: 2 },
    });
    const untouched = await client.messages.create({ ...request, stop_sequences: ['absent'] });
    expect(untouched).toMatchObject({ content: [{ type: 'text', text: 'echo: one two three four' }], stop_reason: 'end_turn', stop_sequence: null });
  });

  it('sends 529 overloaded_error and in-stream error events', async () => {
    upstream.behave('claude-x', { status: 529 });
    const error = await client.messages
      .create({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect((error as { status?: number }).status).toBe(529);
    expect(String(error)).toContain('overloaded_error');

    upstream.behave('claude-x', { failAfterTokens: 1 });
    const stream = client.messages.stream({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'a b c' }] });
    await expect(stream.finalMessage()).rejects.toThrow(/Overloaded/);
  });
});

describe('mock Ollama upstream', () => {
  let upstream: MockUpstream;
  beforeAll(async () => {
    upstream = await startMockOllamaUpstream();
  });
  afterAll(() => upstream.close());

  it('streams NDJSON with a final done line', async () => {
    const response = await fetch(`${upstream.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'hey' }] }),
    });
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { message: { content: string }; done: boolean; eval_count?: number; prompt_eval_count?: number });
    expect(lines.map((line) => line.message.content).join('')).toBe('echo: hey');
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: 2, prompt_eval_count: 1 });
  });

  it('serves its OpenAI-compatible /v1 too', async () => {
    const client = new OpenAI({ apiKey: 'ollama', baseURL: `${upstream.url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'hey' }] });
    expect(completion.choices[0]?.message.content).toBe('echo: hey');
  });
});
