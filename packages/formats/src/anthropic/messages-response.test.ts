import { GatewayError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../__fixtures__/sse.ts';
import { renderOpenAIChatCompletion } from '../openai/render-chat-completion.ts';
import { fromAnthropicMessagesResponse } from './messages-response.ts';
import { renderAnthropicMessage } from './render-message.ts';

describe('fromAnthropicMessagesResponse', () => {
  it('reads a tool_use message', () => {
    expect(fromAnthropicMessagesResponse(readJsonFixture('anthropic-message-tool-use.json'))).toEqual({
      id: 'msg_01Aq9w938a90dw8q',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: "I'll check the current weather in San Francisco for you." }],
      toolCalls: [{ id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 472, outputTokens: 89, cachedInputTokens: 0, cacheWriteInputTokens: 0 },
    });
  });

  it('counts cache reads and writes into input tokens and keeps each part', () => {
    expect(fromAnthropicMessagesResponse(readJsonFixture('anthropic-message-text.json')).usage).toEqual({
      inputTokens: 21 + 188 + 2048,
      outputTokens: 9,
      cachedInputTokens: 2048,
      cacheWriteInputTokens: 188,
    });
  });

  it('reads the stop sequence that ended the answer, and only then', () => {
    const fixture = readJsonFixture('anthropic-message-text.json') as Record<string, unknown>;
    const stopped = fromAnthropicMessagesResponse({ ...fixture, stop_reason: 'stop_sequence', stop_sequence: '\n\nQ:' });
    expect(stopped).toMatchObject({ finishReason: 'stop', stopSequence: '\n\nQ:' });
    expect(fromAnthropicMessagesResponse({ ...fixture, stop_reason: 'end_turn', stop_sequence: '\n\nQ:' })).not.toHaveProperty('stopSequence');
    expect(fromAnthropicMessagesResponse({ ...fixture, stop_reason: 'stop_sequence', stop_sequence: null })).not.toHaveProperty('stopSequence');
    // OpenAI has no stop-sequence reason: its clients see a plain stop.
    const completion = renderOpenAIChatCompletion(stopped, { id: 'chatcmpl-sy_01', created: 1, model: 'claude-haiku-4-5' }) as {
      choices: Array<{ finish_reason: string }>;
    };
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });

  it('round-trips an Anthropic response into an OpenAI chat.completion', () => {
    const response = fromAnthropicMessagesResponse(readJsonFixture('anthropic-message-tool-use.json'));
    expect(renderOpenAIChatCompletion(response, { id: 'chatcmpl-sy_01', created: 1747220453, model: 'claude-sonnet-4-5' })).toEqual({
      id: 'chatcmpl-sy_01',
      object: 'chat.completion',
      created: 1747220453,
      model: 'claude-sonnet-4-5',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: "I'll check the current weather in San Francisco for you.",
            tool_calls: [
              {
                id: 'toolu_01A09q90qw90lq917835lq9',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
              },
            ],
            refusal: null,
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561, prompt_tokens_details: { cached_tokens: 0 } },
      system_fingerprint: null,
    });
  });

  it('renders back to the same Anthropic message, cache reads and writes as reported', () => {
    const fixture = readJsonFixture('anthropic-message-text.json') as Record<string, unknown>;
    const expected = {
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5-20251001',
      content: fixture.content,
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 21, output_tokens: 9, cache_read_input_tokens: 2048, cache_creation_input_tokens: 188 },
    };
    const meta = { id: fixture.id as string, model: fixture.model as string };
    expect(renderAnthropicMessage(fromAnthropicMessagesResponse(fixture), meta)).toEqual(expected);
    const stopped = { ...fixture, stop_reason: 'stop_sequence', stop_sequence: 'END' };
    expect(renderAnthropicMessage(fromAnthropicMessagesResponse(stopped), meta)).toEqual({ ...expected, stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  it.each([
    ['a string', 'nope'],
    ['an error body', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }],
    ['content that is not a list', { content: 'x', usage: {} }],
  ])('throws upstream_error on %s', (_name, body) => {
    expect(() => fromAnthropicMessagesResponse(body)).toThrow(GatewayError);
    expect(() => fromAnthropicMessagesResponse(body)).toThrow(
      expect.objectContaining({ code: 'upstream_error', message: 'upstream returned an unreadable response' }),
    );
  });
});
