import type { ChatRequest } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../__fixtures__/sse.ts';
import { parseOpenAIChatRequest } from '../openai/parse-chat-request.ts';
import { toAnthropicMessagesBody } from './messages-body.ts';
import { parseAnthropicMessagesRequest } from './parse-messages-request.ts';

const pngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('toAnthropicMessagesBody', () => {
  it('round-trips an OpenAI client request into an Anthropic body', () => {
    // logit_bias has no Anthropic equivalent (refused, see below), so this client leaves it out.
    const { logitBias: _logitBias, ...request } = parseOpenAIChatRequest(readJsonFixture('openai-chat-request-tools.json')).request;
    expect(toAnthropicMessagesBody({ ...request, model: 'claude-sonnet-4-5-20250929' }, { stream: true, defaultMaxTokens: 4096 })).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 512,
      system: 'You are a weather assistant.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the weather where this photo was taken, and in Tokyo?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: pngBase64 } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_Rz3Rk1dPqXk3cV9bLmN2oQ7w', name: 'get_weather', input: { location: 'Paris, France', unit: 'celsius' } },
            { type: 'tool_use', id: 'call_8hTqWc2LmYp4dZr6XvB1nK0s', name: 'get_weather', input: { location: 'Tokyo, Japan', unit: 'celsius' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_Rz3Rk1dPqXk3cV9bLmN2oQ7w', content: '{"temperature":18,"condition":"cloudy"}' },
            { type: 'tool_result', tool_use_id: 'call_8hTqWc2LmYp4dZr6XvB1nK0s', content: '{"temperature":24,"condition":"sunny"}' },
          ],
        },
      ],
      temperature: 0.7,
      top_p: 0.9,
      stop_sequences: ['\n\nUser:'],
      tools: [
        {
          name: 'get_weather',
          description: 'Get the current weather in a given location',
          input_schema: {
            type: 'object',
            properties: {
              location: { type: 'string', description: 'The city and country, e.g. Paris, France' },
              unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
            },
            required: ['location'],
            additionalProperties: false,
          },
        },
      ],
      tool_choice: { type: 'auto' },
      metadata: { user_id: 'user-1234' },
      stream: true,
    });
  });

  it('round-trips an Anthropic client request back to an equivalent body', () => {
    const fixture = readJsonFixture('anthropic-messages-request.json') as Record<string, unknown>;
    const body = toAnthropicMessagesBody(parseAnthropicMessagesRequest(fixture).request, { stream: true, defaultMaxTokens: 4096 });
    expect(body.system).toBe('You are a weather assistant.\n\nAnswer in one sentence.\n\nMention the temperature in Fahrenheit too.');
    expect(body.messages).toEqual([
      (fixture.messages as unknown[])[0],
      {
        role: 'assistant',
        content: [
          { type: 'text', text: "I'll check the current weather in San Francisco for you." },
          { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } },
        ],
      },
      (fixture.messages as unknown[])[2],
    ]);
    expect(body.tools).toEqual(fixture.tools);
    expect(body.tool_choice).toEqual(fixture.tool_choice);
    for (const key of ['model', 'max_tokens', 'temperature', 'top_p', 'stop_sequences', 'metadata', 'stream']) expect(body[key], key).toEqual(fixture[key]);
  });

  it('merges same-role neighbours, keeps error tool results and image results, and drops empty text', () => {
    const request: ChatRequest = {
      model: 'claude-haiku-4-5',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'one' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: '' },
            { type: 'text', text: 'two' },
          ],
        },
        { role: 'assistant', content: [], toolCalls: [{ id: 'call_1', name: 'shot', arguments: 'not json' }] },
        { role: 'tool', toolCallId: 'call_1', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }], isError: true },
        { role: 'tool', toolCallId: 'call_2', content: [] },
        { role: 'user', content: [] },
      ],
      temperature: 1.6,
      stop: ['\n', 'END'],
      seed: 5,
    };
    expect(toAnthropicMessagesBody(request, { stream: false, defaultMaxTokens: 4096 })).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 4096,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'one' },
            { type: 'text', text: 'two' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'shot', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }], is_error: true },
            { type: 'tool_result', tool_use_id: 'call_2' },
          ],
        },
      ],
      temperature: 1,
      stop_sequences: ['END'],
    });
  });

  it('maps tool choices and parallel tool calls', () => {
    const base: ChatRequest = {
      model: 'c',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
      tools: [{ name: 'f', parameters: { type: 'object' } }],
    };
    const choiceOf = (extra: Partial<ChatRequest>) => toAnthropicMessagesBody({ ...base, ...extra }, { stream: false, defaultMaxTokens: 1 }).tool_choice;
    expect(choiceOf({ toolChoice: 'required' })).toEqual({ type: 'any' });
    expect(choiceOf({ toolChoice: 'none' })).toEqual({ type: 'none' });
    expect(choiceOf({ toolChoice: { type: 'tool', name: 'f' }, parallelToolCalls: false })).toEqual({
      type: 'tool',
      name: 'f',
      disable_parallel_tool_use: true,
    });
    expect(choiceOf({ parallelToolCalls: false })).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(choiceOf({})).toBeUndefined();
    expect(toAnthropicMessagesBody({ ...base, tools: undefined, toolChoice: 'auto' }, { stream: false, defaultMaxTokens: 1 })).not.toHaveProperty(
      'tool_choice',
    );
  });

  it('refuses logit_bias and non-zero penalties, which Anthropic cannot honour, and lets no-op values through', () => {
    const base: ChatRequest = { model: 'c', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] };
    const body = (extra: Partial<ChatRequest>) => () => toAnthropicMessagesBody({ ...base, ...extra }, { stream: false, defaultMaxTokens: 1 });
    expect(body({ logitBias: { '42': 5 } })).toThrow(expect.objectContaining({ code: 'unsupported_parameter', param: 'logit_bias' }));
    expect(body({ presencePenalty: 0.5 })).toThrow(expect.objectContaining({ code: 'unsupported_parameter', param: 'presence_penalty' }));
    expect(body({ frequencyPenalty: -1 })).toThrow(expect.objectContaining({ code: 'unsupported_parameter', param: 'frequency_penalty' }));
    expect(body({ logitBias: {}, presencePenalty: 0, frequencyPenalty: 0 })()).toEqual({
      model: 'c',
      max_tokens: 1,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
    });
  });
});
