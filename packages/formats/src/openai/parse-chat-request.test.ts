import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../__fixtures__/rejection.ts';
import { readJsonFixture } from '../__fixtures__/sse.ts';
import { parseOpenAIChatRequest } from './parse-chat-request.ts';

const pngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const errorOf = (body: unknown) => rejectionOf(parseOpenAIChatRequest, body);

describe('parseOpenAIChatRequest', () => {
  it('translates a full request with images, tool calls and tool results', () => {
    const parsed = parseOpenAIChatRequest(readJsonFixture('openai-chat-request-tools.json'));
    expect(parsed.model).toBe('gpt-4o');
    expect(parsed.stream).toBe(true);
    expect(parsed.includeUsage).toBe(true);
    expect(parsed.request).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are a weather assistant.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the weather where this photo was taken, and in Tokyo?' },
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: pngBase64 } },
          ],
        },
        {
          role: 'assistant',
          content: [],
          toolCalls: [
            { id: 'call_Rz3Rk1dPqXk3cV9bLmN2oQ7w', name: 'get_weather', arguments: '{"location":"Paris, France","unit":"celsius"}' },
            { id: 'call_8hTqWc2LmYp4dZr6XvB1nK0s', name: 'get_weather', arguments: '{"location":"Tokyo, Japan","unit":"celsius"}' },
          ],
        },
        { role: 'tool', toolCallId: 'call_Rz3Rk1dPqXk3cV9bLmN2oQ7w', content: [{ type: 'text', text: '{"temperature":18,"condition":"cloudy"}' }] },
        { role: 'tool', toolCallId: 'call_8hTqWc2LmYp4dZr6XvB1nK0s', content: [{ type: 'text', text: '{"temperature":24,"condition":"sunny"}' }] },
      ],
      maxTokens: 512,
      temperature: 0.7,
      topP: 0.9,
      stop: ['\n\nUser:'],
      tools: [
        {
          name: 'get_weather',
          description: 'Get the current weather in a given location',
          parameters: {
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
      toolChoice: 'auto',
      parallelToolCalls: true,
      logitBias: { '50256': -100 },
      seed: 42,
      user: 'user-1234',
    });
  });

  it('keeps a minimal request minimal', () => {
    const parsed = parseOpenAIChatRequest({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(parsed).toEqual({
      model: 'gpt-4o-mini',
      stream: false,
      includeUsage: false,
      request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    });
  });

  it('reads image URLs, named tool choice, legacy max_tokens, a stop string and response formats', () => {
    const parsed = parseOpenAIChatRequest({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] },
      ],
      tools: [{ type: 'function', function: { name: 'lookup' } }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      max_tokens: 100,
      stop: 'END',
      temperature: null,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      stream: false,
      stream_options: { include_usage: true },
    });
    expect(parsed.includeUsage).toBe(false);
    expect(parsed.request).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }] },
      ],
      tools: [{ name: 'lookup', parameters: { type: 'object', properties: {} } }],
      toolChoice: { type: 'tool', name: 'lookup' },
      maxTokens: 100,
      stop: ['END'],
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' } },
    });
  });

  it('reads penalties and logit_bias, and drops an empty logit_bias', () => {
    const parsed = parseOpenAIChatRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      presence_penalty: -2,
      frequency_penalty: 2,
      logit_bias: { '50256': -100, '7': 0.5 },
    });
    expect(parsed.request).toMatchObject({ presencePenalty: -2, frequencyPenalty: 2, logitBias: { '50256': -100, '7': 0.5 } });
    expect(parseOpenAIChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], logit_bias: {} }).request).not.toHaveProperty('logitBias');
  });

  it('accepts json_object mode and n = 1', () => {
    const parsed = parseOpenAIChatRequest({ model: 'm', n: 1, messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } });
    expect(parsed.request.responseFormat).toEqual({ type: 'json_object' });
  });

  const user = [{ role: 'user', content: 'Hi' }];
  const cases: Array<[string, unknown, string | null, RegExp]> = [
    ['a non-object body', 'hello', null, /JSON object/],
    ['an array body', [1, 2], null, /JSON object/],
    ['null body', null, null, /JSON object/],
    ['a missing model', { messages: user }, 'model', /must provide a model/],
    ['an empty model', { model: '', messages: user }, 'model', /must provide a model/],
    ['a numeric model', { model: 4, messages: user }, 'model', /expected a string, but got an integer/],
    ['missing messages', { model: 'm' }, 'messages', /Missing required parameter: 'messages'/],
    ['messages that are not an array', { model: 'm', messages: 'hi' }, 'messages', /expected an array/],
    ['empty messages', { model: 'm', messages: [] }, 'messages', /empty array/],
    ['a message that is not an object', { model: 'm', messages: ['hi'] }, 'messages[0]', /expected an object/],
    ['an unknown role', { model: 'm', messages: [...user, { role: 'robot', content: 'x' }] }, 'messages[1].role', /Invalid value: "robot"/],
    ['the legacy function role', { model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role', /legacy 'function' role/],
    ['a user message without content', { model: 'm', messages: [{ role: 'user' }] }, 'messages[0].content', /Missing required/],
    ['numeric content', { model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', /expected an array/],
    [
      'an unknown content part',
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] },
      'messages[0].content[0].type',
      /Invalid value/,
    ],
    [
      'an image in a system message',
      { model: 'm', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] },
      'messages[0].content[0].type',
      /Supported values are: 'text'/,
    ],
    [
      'a bad image URL',
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }] },
      'messages[0].content[0].image_url.url',
      /http\(s\) URL or a base64 data URL/,
    ],
    ['a tool message without tool_call_id', { model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', /Missing required/],
    [
      'a tool call without a function',
      { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function' }] }] },
      'messages[0].tool_calls[0].function',
      /expected an object/,
    ],
    ['temperature above 2', { model: 'm', messages: user, temperature: 2.5 }, 'temperature', /Expected a value <= 2, but got 2.5/],
    ['negative temperature', { model: 'm', messages: user, temperature: -1 }, 'temperature', /Expected a value >= 0/],
    ['temperature as a string', { model: 'm', messages: user, temperature: '1' }, 'temperature', /expected a decimal, but got a string/],
    ['top_p above 1', { model: 'm', messages: user, top_p: 1.5 }, 'top_p', /Expected a value <= 1/],
    ['zero max_tokens', { model: 'm', messages: user, max_tokens: 0 }, 'max_tokens', /Expected a value >= 1/],
    [
      'fractional max_completion_tokens',
      { model: 'm', messages: user, max_completion_tokens: 1.5 },
      'max_completion_tokens',
      /expected an integer, but got a decimal/,
    ],
    [
      'a max_tokens too large to be an integer',
      { model: 'm', messages: user, max_tokens: 1e300 },
      'max_tokens',
      /integer above maximum value. Expected a value <= 9007199254740991, but got 1e\+300/,
    ],
    ['a seed too small to be an integer', { model: 'm', messages: user, seed: -1e300 }, 'seed', /integer below minimum value/],
    ['n above 1', { model: 'm', messages: user, n: 2 }, 'n', /^n > 1 is not supported$/],
    ['five stop sequences', { model: 'm', messages: user, stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', /maximum length 4/],
    ['a numeric stop sequence', { model: 'm', messages: user, stop: [1] }, 'stop[0]', /expected a string/],
    ['a non-function tool', { model: 'm', messages: user, tools: [{ type: 'web_search' }] }, 'tools[0].type', /Invalid value/],
    [
      'a tool name with spaces',
      { model: 'm', messages: user, tools: [{ type: 'function', function: { name: 'get weather' } }] },
      'tools[0].function.name',
      /does not match pattern/,
    ],
    ['an unknown tool_choice', { model: 'm', messages: user, tool_choice: 'any' }, 'tool_choice', /Supported values are: 'none', 'auto', and 'required'/],
    ['a non-boolean stream', { model: 'm', messages: user, stream: 'yes' }, 'stream', /expected a boolean/],
    ['a fractional seed', { model: 'm', messages: user, seed: 1.5 }, 'seed', /expected an integer/],
    ['an unknown response format', { model: 'm', messages: user, response_format: { type: 'xml' } }, 'response_format.type', /Invalid value/],
    ['presence_penalty above 2', { model: 'm', messages: user, presence_penalty: 3 }, 'presence_penalty', /Expected a value <= 2, but got 3/],
    ['frequency_penalty below -2', { model: 'm', messages: user, frequency_penalty: -3 }, 'frequency_penalty', /Expected a value >= -2, but got -3/],
    ['a string presence_penalty', { model: 'm', messages: user, presence_penalty: '1' }, 'presence_penalty', /expected a decimal/],
    ['logit_bias as an array', { model: 'm', messages: user, logit_bias: [5] }, 'logit_bias', /expected an object, but got an array/],
    ['a logit_bias key that is not a token id', { model: 'm', messages: user, logit_bias: { hello: 5 } }, 'logit_bias', /Invalid key in 'logit_bias': "hello"/],
    ['a __proto__ logit_bias key', { model: 'm', messages: user, logit_bias: JSON.parse('{"__proto__": 5}') }, 'logit_bias', /Invalid key/],
    ['a logit_bias above 100', { model: 'm', messages: user, logit_bias: { '42': 101 } }, 'logit_bias.42', /Expected a value <= 100/],
    ['a null logit_bias weight', { model: 'm', messages: user, logit_bias: { '42': null } }, 'logit_bias.42', /expected a decimal, but got null/],
    [
      'a json_schema without a name',
      { model: 'm', messages: user, response_format: { type: 'json_schema', json_schema: {} } },
      'response_format.json_schema.name',
      /Missing required/,
    ],
  ];

  it.each(cases)('rejects %s', (_name, body, param, message) => {
    const error = errorOf(body);
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });
});
