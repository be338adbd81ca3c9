import type { ChatRequest } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../__fixtures__/sse.ts';
import { toOpenAIChatBody } from './chat-body.ts';
import { parseOpenAIChatRequest } from './parse-chat-request.ts';

describe('toOpenAIChatBody', () => {
  it('renders every canonical field and always asks for usage when streaming', () => {
    const request: ChatRequest = {
      model: 'gpt-4o-2024-08-06',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe these.' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            { type: 'image', source: { type: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
          ],
        },
        { role: 'assistant', content: [], toolCalls: [{ id: 'toolu_01', name: 'lookup', arguments: '{"q":"x"}' }] },
        { role: 'tool', toolCallId: 'toolu_01', content: [{ type: 'text', text: 'found' }], isError: false },
        { role: 'assistant', content: [{ type: 'text', text: 'Done.' }] },
      ],
      maxTokens: 256,
      temperature: 0.2,
      topP: 0.5,
      stop: ['END'],
      tools: [{ name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
      toolChoice: { type: 'tool', name: 'lookup' },
      parallelToolCalls: false,
      presencePenalty: 0.5,
      frequencyPenalty: -1,
      logitBias: { '50256': -100 },
      seed: 7,
      user: 'u-1',
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' } },
    };
    expect(toOpenAIChatBody(request, { stream: true, maxTokensField: 'max_completion_tokens' })).toEqual({
      model: 'gpt-4o-2024-08-06',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe these.' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_01', content: 'found' },
        { role: 'assistant', content: 'Done.' },
      ],
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 0.5,
      stop: ['END'],
      tools: [
        { type: 'function', function: { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { q: { type: 'string' } } } } },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: false,
      presence_penalty: 0.5,
      frequency_penalty: -1,
      logit_bias: { '50256': -100 },
      seed: 7,
      user: 'u-1',
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('uses max_tokens by default, sends text-only user content as a string and drops tool settings without tools', () => {
    const body = toOpenAIChatBody(
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], maxTokens: 5, toolChoice: 'none', parallelToolCalls: true },
      { stream: false },
    );
    expect(body).toEqual({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5, stream: false });
  });

  it('round-trips an OpenAI client request through canonical', () => {
    const fixture = readJsonFixture('openai-chat-request-tools.json') as Record<string, unknown>;
    const fixtureMessages = fixture.messages as Array<Record<string, unknown>>;
    const body = toOpenAIChatBody(parseOpenAIChatRequest(fixture).request, { stream: true, maxTokensField: 'max_completion_tokens' });
    // Only what canonical deliberately drops differs: developer -> system, the image detail, text-only arrays -> strings.
    const [developer, user, assistant, firstTool, secondTool] = body.messages as Array<Record<string, unknown>>;
    expect(developer).toEqual({ role: 'system', content: 'You are a weather assistant.' });
    expect(user).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is the weather where this photo was taken, and in Tokyo?' },
        { type: 'image_url', image_url: { url: expect.stringMatching(/^data:image\/png;base64,iVBOR/) } },
      ],
    });
    expect(assistant).toEqual(fixtureMessages[2]);
    expect(firstTool).toEqual(fixtureMessages[3]);
    expect(secondTool).toEqual({ role: 'tool', tool_call_id: 'call_8hTqWc2LmYp4dZr6XvB1nK0s', content: '{"temperature":24,"condition":"sunny"}' });
    for (const key of [
      'temperature',
      'top_p',
      'max_completion_tokens',
      'stop',
      'seed',
      'user',
      'tool_choice',
      'parallel_tool_calls',
      'stream',
      'stream_options',
      'logit_bias',
    ]) {
      expect(body[key], key).toEqual(fixture[key]);
    }
  });
});
