import { GatewayError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../__fixtures__/sse.ts';
import { fromOpenAIChatResponse } from './chat-response.ts';
import { renderOpenAIChatCompletion } from './render-chat-completion.ts';

describe('fromOpenAIChatResponse', () => {
  it('reads a tool-call completion', () => {
    expect(fromOpenAIChatResponse(readJsonFixture('openai-chat-completion-tool-calls.json'))).toEqual({
      id: 'chatcmpl-BXGm9jNvPZ0hR4yT7qLkFzW3sE2aD',
      model: 'gpt-4o-2024-08-06',
      content: [],
      toolCalls: [
        { id: 'call_Rz3Rk1dPqXk3cV9bLmN2oQ7w', name: 'get_weather', arguments: '{"location":"Paris, France","unit":"celsius"}' },
        { id: 'call_8hTqWc2LmYp4dZr6XvB1nK0s', name: 'get_weather', arguments: '{"location":"Tokyo, Japan","unit":"celsius"}' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 82, outputTokens: 51, cachedInputTokens: 0 },
    });
  });

  it('reads a text completion with cached tokens', () => {
    expect(fromOpenAIChatResponse(readJsonFixture('openai-chat-completion-text.json'))).toEqual({
      id: 'chatcmpl-BXGnK2aYw8cT5vRpQ1mZxL9dF4hJe',
      model: 'gpt-4o-mini-2024-07-18',
      content: [{ type: 'text', text: 'The capital of France is Paris.' }],
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 1310, outputTokens: 8, cachedInputTokens: 1152 },
    });
  });

  it('keeps a refusal as text, maps unknown finish reasons to other and flags missing usage', () => {
    const response = fromOpenAIChatResponse({
      model: 'local-llama',
      choices: [{ message: { content: null, refusal: 'I cannot help with that.' }, finish_reason: 'eos' }],
    });
    expect(response).toEqual({
      model: 'local-llama',
      content: [{ type: 'text', text: 'I cannot help with that.' }],
      toolCalls: [],
      finishReason: 'other',
      usage: { inputTokens: 0, outputTokens: 0, estimated: true },
    });
  });

  it('renders back to an equivalent OpenAI body', () => {
    const fixture = readJsonFixture('openai-chat-completion-tool-calls.json') as Record<string, unknown>;
    const rendered = renderOpenAIChatCompletion(fromOpenAIChatResponse(fixture), {
      id: fixture.id as string,
      created: fixture.created as number,
      model: fixture.model as string,
    });
    const [choice] = fixture.choices as Array<{ message: Record<string, unknown> }>;
    const { annotations: _annotations, ...message } = choice?.message ?? {};
    expect((rendered.choices as Array<{ message: unknown }>)[0]?.message).toEqual(message);
  });

  it.each([
    ['a string', 'oops'],
    ['null', null],
    ['no choices', { model: 'm', choices: [] }],
    ['an error body', { error: { message: 'x' } }],
    ['a bad tool call', { choices: [{ message: { tool_calls: [{ id: 'a' }] } }] }],
  ])('throws upstream_error on %s', (_name, body) => {
    expect(() => fromOpenAIChatResponse(body)).toThrow(GatewayError);
    expect(() => fromOpenAIChatResponse(body)).toThrow(
      expect.objectContaining({ code: 'upstream_error', message: 'upstream returned an unreadable response' }),
    );
  });
});
