// Any model through either format: an upstream stream in one dialect, parsed to canonical
// parts and rendered in the other, must be accumulated correctly by the other's SDK.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { openAIChunks, parseSse, readFixture, sseFetch } from './__fixtures__/sse.ts';
import { createAnthropicEventParser, createAnthropicStreamRenderer, createOpenAIChunkParser, createOpenAIStreamRenderer } from './index.ts';

describe('cross-format streaming', () => {
  it('serves a recorded Anthropic tool-use stream to the OpenAI SDK', async () => {
    const parser = createAnthropicEventParser();
    const renderer = createOpenAIStreamRenderer({ id: 'chatcmpl-sy_01', created: 1, model: 'claude-sonnet-4-5', includeUsage: true });
    const chunks = parseSse(readFixture('anthropic-stream-tool-use.sse'))
      .flatMap((event) => parser.parse(event.event ?? '', JSON.parse(event.data) as unknown))
      .flatMap((part) => renderer.push(part));
    const body = `${chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('')}data: [DONE]\n\n`;
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://switchyard.test/v1', fetch: sseFetch(body), maxRetries: 0 });
    const completion = await client.chat.completions.stream({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] }).finalChatCompletion();
    expect(completion.choices[0]?.message.content).toBe("Okay, let's check the weather for San Francisco, CA:");
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      {
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}' },
      },
    ]);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.usage).toMatchObject({ prompt_tokens: 472, completion_tokens: 89 });
  });

  it('serves a recorded OpenAI tool-call stream to the Anthropic SDK', async () => {
    const parser = createOpenAIChunkParser();
    const renderer = createAnthropicStreamRenderer({ id: 'msg_sy_01', model: 'gpt-4o' });
    const parts = [...openAIChunks(readFixture('openai-stream-tool-calls.sse')).flatMap((chunk) => parser.parse(chunk)), ...parser.finish()];
    const body = parts
      .flatMap((part) => renderer.push(part))
      .map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      .join('');
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: 'http://switchyard.test', fetch: sseFetch(body), maxRetries: 0 });
    const message = await client.messages.stream({ model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_Rz3Rk1dPqXk3cV9bLmN2oQ7w', name: 'get_weather', input: { location: 'Paris, France' } },
      { type: 'tool_use', id: 'call_8hTqWc2LmYp4dZr6XvB1nK0s', name: 'get_weather', input: { location: 'Tokyo, Japan' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toEqual({ input_tokens: 82, output_tokens: 51, cache_read_input_tokens: 0 });
  });
});
