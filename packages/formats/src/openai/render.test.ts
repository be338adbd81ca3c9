import { GatewayError, type ChatResponse } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { decodeEmbeddingBase64, encodeEmbeddingBase64, renderOpenAIEmbeddings } from './render-embeddings.ts';
import { renderOpenAIChatCompletion } from './render-chat-completion.ts';
import { renderOpenAICompletion } from './render-completion.ts';
import { renderOpenAIError } from './render-error.ts';

const meta = { id: 'chatcmpl-sy_01', created: 1747220453, model: 'gpt-4o' };

describe('renderOpenAIChatCompletion', () => {
  it('renders text with cached-token usage', () => {
    const response: ChatResponse = {
      model: 'gpt-4o-2024-08-06',
      content: [
        { type: 'text', text: 'Hello' },
        { type: 'text', text: ' there' },
      ],
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 20, outputTokens: 2, cachedInputTokens: 16 },
    };
    expect(renderOpenAIChatCompletion(response, meta)).toEqual({
      id: 'chatcmpl-sy_01',
      object: 'chat.completion',
      created: 1747220453,
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 20, completion_tokens: 2, total_tokens: 22, prompt_tokens_details: { cached_tokens: 16 } },
      system_fingerprint: null,
    });
  });

  it('renders tool calls with null content and finish_reason tool_calls', () => {
    const rendered = renderOpenAIChatCompletion(
      {
        model: 'claude-sonnet-4-5',
        content: [],
        toolCalls: [{ id: 'toolu_01', name: 'get_weather', arguments: '{"location":"Paris"}' }],
        finishReason: 'tool_calls',
        usage: { inputTokens: 10, outputTokens: 5 },
      },
      meta,
    );
    expect(rendered.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
    expect(rendered.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } });
  });

  it('maps finish reasons OpenAI does not have to stop', () => {
    const base: ChatResponse = { model: 'm', content: [], toolCalls: [], finishReason: 'other', usage: { inputTokens: 0, outputTokens: 0 } };
    const finishOf = (response: ChatResponse) => (renderOpenAIChatCompletion(response, meta).choices as Array<{ finish_reason: string }>)[0]?.finish_reason;
    expect(finishOf(base)).toBe('stop');
    expect(finishOf({ ...base, finishReason: 'error' })).toBe('stop');
    expect(finishOf({ ...base, finishReason: 'length' })).toBe('length');
    expect(finishOf({ ...base, finishReason: 'content_filter' })).toBe('content_filter');
  });

  it('renders an Anthropic stop-sequence answer as a plain stop, its cache writes inside prompt_tokens', () => {
    const rendered = renderOpenAIChatCompletion(
      {
        model: 'claude-sonnet-4-5',
        content: [{ type: 'text', text: 'One' }],
        toolCalls: [],
        finishReason: 'stop',
        stopSequence: ', two',
        usage: { inputTokens: 2257, outputTokens: 1, cachedInputTokens: 2048, cacheWriteInputTokens: 188 },
      },
      meta,
    );
    expect((rendered.choices as Array<{ finish_reason: string }>)[0]?.finish_reason).toBe('stop');
    expect(rendered.usage).toEqual({ prompt_tokens: 2257, completion_tokens: 1, total_tokens: 2258, prompt_tokens_details: { cached_tokens: 2048 } });
  });
});

describe('renderOpenAIEmbeddings', () => {
  const response = {
    model: 'text-embedding-3-small',
    embeddings: [
      [0.5, -1.25],
      [2, 0.125],
    ],
    usage: { inputTokens: 7, outputTokens: 0 },
  };

  it('renders float vectors', () => {
    expect(renderOpenAIEmbeddings(response, { model: 'text-embedding-3-small', encodingFormat: 'float' })).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -1.25] },
        { object: 'embedding', index: 1, embedding: [2, 0.125] },
      ],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
  });

  it('renders base64 as little-endian float32 bytes', () => {
    const rendered = renderOpenAIEmbeddings(response, { model: 'e', encodingFormat: 'base64' });
    const [first] = rendered.data as Array<{ embedding: string }>;
    // 0.5 = 0x3f000000 and -1.25 = 0xbfa00000, little-endian.
    expect(Buffer.from(first?.embedding ?? '', 'base64')).toEqual(Buffer.from([0, 0, 0, 0x3f, 0, 0, 0xa0, 0xbf]));
    expect(decodeEmbeddingBase64(encodeEmbeddingBase64([0.5, -1.25, 3]))).toEqual([0.5, -1.25, 3]);
  });
});

describe('renderOpenAICompletion', () => {
  it('renders a text_completion object', () => {
    const rendered = renderOpenAICompletion(
      { model: 'gpt-3.5-turbo-instruct', text: 'This is a test.', finishReason: 'length', usage: { inputTokens: 5, outputTokens: 7 } },
      { id: 'cmpl-sy_01', created: 1747220800, model: 'gpt-3.5-turbo-instruct' },
    );
    expect(rendered).toEqual({
      id: 'cmpl-sy_01',
      object: 'text_completion',
      created: 1747220800,
      model: 'gpt-3.5-turbo-instruct',
      choices: [{ text: 'This is a test.', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
      system_fingerprint: null,
    });
  });
});

describe('renderOpenAIError', () => {
  it('renders the OpenAI envelope with param', () => {
    const error = new GatewayError('invalid_request', 'bad temperature', { param: 'temperature' });
    expect(renderOpenAIError(error.toBody())).toEqual({
      error: { message: 'bad temperature', type: 'invalid_request_error', param: 'temperature', code: 'invalid_request' },
    });
  });

  it('uses null when there is no param', () => {
    expect(renderOpenAIError(new GatewayError('queue_full', 'try later').toBody())).toEqual({
      error: { message: 'try later', type: 'rate_limit_error', param: null, code: 'queue_full' },
    });
  });
});
