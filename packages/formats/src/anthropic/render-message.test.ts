import { GatewayError, type ChatResponse, type ErrorCode } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { renderAnthropicError } from './render-error.ts';
import { renderAnthropicMessage } from './render-message.ts';

const meta = { id: 'msg_sy_01', model: 'claude-sonnet-4-5' };

describe('renderAnthropicMessage', () => {
  it('renders text then tool_use blocks with parsed input', () => {
    const response: ChatResponse = {
      model: 'gpt-4o',
      content: [{ type: 'text', text: 'Checking.' }],
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: '{"location":"Paris"}' },
        { id: 'call_b', name: 'broken', arguments: '{"location":' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 60 },
    };
    expect(renderAnthropicMessage(response, meta)).toEqual({
      id: 'msg_sy_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { location: 'Paris' } },
        { type: 'tool_use', id: 'call_b', name: 'broken', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 40, output_tokens: 20, cache_read_input_tokens: 60, cache_creation_input_tokens: 0 },
    });
  });

  it('maps finish reasons and leaves cache reads out when unknown', () => {
    const base: ChatResponse = {
      model: 'm',
      content: [{ type: 'text', text: 'x' }],
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 5, outputTokens: 1 },
    };
    const stopOf = (finishReason: ChatResponse['finishReason']) => renderAnthropicMessage({ ...base, finishReason }, meta).stop_reason;
    expect(stopOf('stop')).toBe('end_turn');
    expect(stopOf('length')).toBe('max_tokens');
    expect(stopOf('tool_calls')).toBe('tool_use');
    expect(stopOf('content_filter')).toBe('refusal');
    expect(stopOf('other')).toBe('end_turn');
    expect(renderAnthropicMessage(base, meta).usage).toEqual({ input_tokens: 5, output_tokens: 1, cache_creation_input_tokens: 0 });
  });

  it('renders cache reads and writes apart from input_tokens, which Anthropic reports without either', () => {
    const response: ChatResponse = {
      model: 'm',
      content: [{ type: 'text', text: 'x' }],
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 10_000, outputTokens: 9, cachedInputTokens: 2048, cacheWriteInputTokens: 188 },
    };
    expect(renderAnthropicMessage(response, meta).usage).toEqual({
      input_tokens: 7764,
      output_tokens: 9,
      cache_read_input_tokens: 2048,
      cache_creation_input_tokens: 188,
    });
  });

  it('renders the stop sequence that ended the answer as stop_sequence, and nothing else so', () => {
    const base: ChatResponse = {
      model: 'm',
      content: [{ type: 'text', text: 'x' }],
      toolCalls: [],
      finishReason: 'stop',
      stopSequence: 'END',
      usage: { inputTokens: 5, outputTokens: 1 },
    };
    expect(renderAnthropicMessage(base, meta)).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
    // A stop sequence only explains a stop: a length cut stays max_tokens.
    expect(renderAnthropicMessage({ ...base, finishReason: 'length' }, meta)).toMatchObject({ stop_reason: 'max_tokens', stop_sequence: null });
  });

  it('gives an empty answer one empty text block', () => {
    expect(
      renderAnthropicMessage({ model: 'm', content: [], toolCalls: [], finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 0 } }, meta).content,
    ).toEqual([{ type: 'text', text: '' }]);
  });
});

describe('renderAnthropicError', () => {
  it.each<[ErrorCode, string]>([
    ['invalid_request', 'invalid_request_error'],
    ['invalid_api_key', 'authentication_error'],
    ['permission_denied', 'permission_error'],
    ['model_not_found', 'not_found_error'],
    ['idempotency_key_reused', 'invalid_request_error'],
    ['request_too_large', 'request_too_large'],
    ['budget_exceeded', 'rate_limit_error'],
    ['internal_error', 'api_error'],
    ['upstream_error', 'api_error'],
    ['upstream_overloaded', 'overloaded_error'],
    ['provider_unavailable', 'overloaded_error'],
    ['upstream_timeout', 'timeout_error'],
  ])('maps %s to %s', (code, type) => {
    expect(renderAnthropicError(new GatewayError(code, 'message text').toBody())).toEqual({ type: 'error', error: { type, message: 'message text' } });
  });
});
