import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../__fixtures__/rejection.ts';
import { readJsonFixture } from '../__fixtures__/sse.ts';
import { parseAnthropicMessagesRequest } from './parse-messages-request.ts';

const pngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const errorOf = (body: unknown) => rejectionOf(parseAnthropicMessagesRequest, body);

describe('parseAnthropicMessagesRequest', () => {
  it('translates a full request: system blocks, images, thinking, tool use, mixed tool results, in-message system', () => {
    const parsed = parseAnthropicMessagesRequest(readJsonFixture('anthropic-messages-request.json'));
    expect(parsed.model).toBe('claude-sonnet-4-5');
    expect(parsed.stream).toBe(true);
    expect(parsed.request).toEqual({
      model: 'claude-sonnet-4-5',
      maxTokens: 1024,
      messages: [
        { role: 'system', content: 'You are a weather assistant.' },
        { role: 'system', content: 'Answer in one sentence.' },
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: pngBase64 } },
            { type: 'image', source: { type: 'url', url: 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg' } },
            { type: 'text', text: "What's the weather where these were taken?" },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'text', text: "I'll check the current weather in San Francisco for you." }],
          toolCalls: [{ id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' }],
        },
        { role: 'tool', toolCallId: 'toolu_01A09q90qw90lq917835lq9', content: [{ type: 'text', text: '15 degrees, foggy' }] },
        { role: 'user', content: [{ type: 'text', text: 'And should I bring a jacket?' }] },
        { role: 'system', content: 'Mention the temperature in Fahrenheit too.' },
      ],
      temperature: 0.5,
      topP: 0.95,
      stop: ['</answer>'],
      tools: [
        {
          name: 'get_weather',
          description: 'Get the current weather in a given location',
          parameters: {
            type: 'object',
            properties: {
              location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
              unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
            },
            required: ['location'],
          },
        },
      ],
      toolChoice: 'auto',
      parallelToolCalls: false,
      user: '13803d75-b4b5-4c3e-b2a2-6f21399b021b',
    });
  });

  it('keeps a minimal request minimal', () => {
    expect(
      parseAnthropicMessagesRequest({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }], system: 'Be nice.' }),
    ).toEqual({
      model: 'claude-haiku-4-5',
      stream: false,
      request: {
        model: 'claude-haiku-4-5',
        maxTokens: 64,
        messages: [
          { role: 'system', content: 'Be nice.' },
          { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
        ],
      },
    });
  });

  it('reads tool results with block content and is_error, and maps every tool_choice', () => {
    const parsed = parseAnthropicMessagesRequest({
      model: 'c',
      max_tokens: 10,
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'failed' }], is_error: true },
            { type: 'tool_result', tool_use_id: 'toolu_2' },
          ],
        },
      ],
      tools: [{ name: 'f', input_schema: { type: 'object' }, type: 'custom' }],
      tool_choice: { type: 'any' },
    });
    expect(parsed.request.messages).toEqual([
      { role: 'assistant', content: [], toolCalls: [{ id: 'toolu_1', name: 'f', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'failed' }], isError: true },
      { role: 'tool', toolCallId: 'toolu_2', content: [] },
    ]);
    expect(parsed.request.toolChoice).toBe('required');
    const choiceOf = (toolChoice: unknown) =>
      parseAnthropicMessagesRequest({ model: 'c', max_tokens: 1, messages: [{ role: 'user', content: 'x' }], tool_choice: toolChoice }).request.toolChoice;
    expect(choiceOf({ type: 'tool', name: 'f' })).toEqual({ type: 'tool', name: 'f' });
    expect(choiceOf({ type: 'none' })).toBe('none');
    expect(choiceOf({ type: 'auto' })).toBe('auto');
  });

  const user = [{ role: 'user', content: 'Hi' }];
  const cases: Array<[string, unknown, string | null, RegExp]> = [
    ['a non-object body', 'hello', null, /JSON object/],
    ['a missing model', { max_tokens: 1, messages: user }, 'model', /^model: Field required$/],
    ['an empty model', { model: '', max_tokens: 1, messages: user }, 'model', /at least 1 character/],
    ['a missing max_tokens', { model: 'c', messages: user }, 'max_tokens', /^max_tokens: Field required$/],
    ['zero max_tokens', { model: 'c', max_tokens: 0, messages: user }, 'max_tokens', /greater than or equal to 1/],
    ['fractional max_tokens', { model: 'c', max_tokens: 1.5, messages: user }, 'max_tokens', /valid integer/],
    ['string max_tokens', { model: 'c', max_tokens: '10', messages: user }, 'max_tokens', /valid integer/],
    ['missing messages', { model: 'c', max_tokens: 1 }, 'messages', /Field required/],
    ['empty messages', { model: 'c', max_tokens: 1, messages: [] }, 'messages', /at least one message is required/],
    [
      'an unknown role',
      { model: 'c', max_tokens: 1, messages: [{ role: 'tool', content: 'x' }] },
      'messages.0.role',
      /Input should be 'user', 'assistant' or 'system'/,
    ],
    ['a message without content', { model: 'c', max_tokens: 1, messages: [{ role: 'user' }] }, 'messages.0.content', /Field required/],
    ['numeric content', { model: 'c', max_tokens: 1, messages: [{ role: 'user', content: 3 }] }, 'messages.0.content', /valid list/],
    [
      'a document block',
      { model: 'c', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] },
      'messages.0.content.0.type',
      /"document" is not supported/,
    ],
    [
      'tool_use in a user turn',
      { model: 'c', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'f', input: {} }] }] },
      'messages.0.content.0.type',
      /not supported/,
    ],
    [
      'tool_result in an assistant turn',
      { model: 'c', max_tokens: 1, messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'a' }] }] },
      'messages.0.content.0.type',
      /not supported/,
    ],
    [
      'a tool_use without input',
      { model: 'c', max_tokens: 1, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'f' }] }] },
      'messages.0.content.0.input',
      /Field required/,
    ],
    [
      'a bad image source type',
      { model: 'c', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] },
      'messages.0.content.0.source.type',
      /Input should be 'base64' or 'url'/,
    ],
    [
      'a file image URL',
      { model: 'c', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'file:///etc/passwd' } }] }] },
      'messages.0.content.0.source.url',
      /http\(s\) URL or a base64 data URL/,
    ],
    [
      'a file image URL in a tool result',
      {
        model: 'c',
        max_tokens: 1,
        messages: [
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: { type: 'url', url: 'gopher://127.0.0.1:6379/_x' } }] }],
          },
        ],
      },
      'messages.0.content.0.content.0.source.url',
      /http\(s\) URL/,
    ],
    ['an image in the system prompt', { model: 'c', max_tokens: 1, messages: user, system: [{ type: 'image', source: {} }] }, 'system.0.type', /not supported/],
    ['temperature above 1', { model: 'c', max_tokens: 1, messages: user, temperature: 1.5 }, 'temperature', /less than or equal to 1/],
    ['negative top_p', { model: 'c', max_tokens: 1, messages: user, top_p: -0.1 }, 'top_p', /greater than or equal to 0/],
    ['a string top_k', { model: 'c', max_tokens: 1, messages: user, top_k: 'a' }, 'top_k', /valid integer/],
    ['stop_sequences as a string', { model: 'c', max_tokens: 1, messages: user, stop_sequences: 'END' }, 'stop_sequences', /valid list/],
    [
      'a server tool',
      { model: 'c', max_tokens: 1, messages: user, tools: [{ type: 'web_search_20250305', name: 'web_search' }] },
      'tools.0.type',
      /"web_search_20250305" is not supported/,
    ],
    ['a tool without input_schema', { model: 'c', max_tokens: 1, messages: user, tools: [{ name: 'f' }] }, 'tools.0.input_schema', /Field required/],
    [
      'an unknown tool_choice',
      { model: 'c', max_tokens: 1, messages: user, tool_choice: { type: 'required' } },
      'tool_choice.type',
      /Input should be 'auto', 'any', 'tool' or 'none'/,
    ],
    ['a named tool_choice without a name', { model: 'c', max_tokens: 1, messages: user, tool_choice: { type: 'tool' } }, 'tool_choice.name', /Field required/],
    ['a non-boolean stream', { model: 'c', max_tokens: 1, messages: user, stream: 1 }, 'stream', /valid boolean/],
    ['metadata that is not an object', { model: 'c', max_tokens: 1, messages: user, metadata: 'x' }, 'metadata', /valid dictionary/],
  ];

  it.each(cases)('rejects %s', (_name, body, param, message) => {
    const error = errorOf(body);
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });
});
