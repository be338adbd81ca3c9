import type { ChatRequest } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { toOllamaChatBody } from './request-body.ts';

describe('toOllamaChatBody', () => {
  it('maps options, images, tool calls and tool results to the native shape', () => {
    const request: ChatRequest = {
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'sys' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' } },
            { type: 'image', source: { type: 'url', url: 'data:image/jpeg;base64,BBBB' } },
          ],
        },
        { role: 'assistant', content: [], toolCalls: [{ id: 'call_0', name: 'lookup', arguments: '{"term":"x"}' }] },
        { role: 'tool', toolCallId: 'call_0', content: [{ type: 'text', text: 'found' }] },
      ],
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 64,
      stop: ['END'],
      seed: 7,
      tools: [{ name: 'lookup', parameters: { type: 'object' } }],
      responseFormat: { type: 'json_object' },
    };
    expect(toOllamaChatBody(request, true)).toEqual({
      model: 'llama3.2',
      stream: true,
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'what is this?', images: ['AAAA', 'BBBB'] },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'lookup', arguments: { term: 'x' } } }] },
        { role: 'tool', content: 'found', tool_name: 'lookup' },
      ],
      options: { temperature: 0.2, top_p: 0.9, num_predict: 64, stop: ['END'], seed: 7 },
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      format: 'json',
    });
  });

  it('drops tools for toolChoice none and refuses remote image URLs', () => {
    const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], tools: [{ name: 't', parameters: {} }] };
    expect(toOllamaChatBody({ ...base, toolChoice: 'none' }, false)).not.toHaveProperty('tools');
    const withUrl: ChatRequest = {
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }] }],
    };
    expect(() => toOllamaChatBody(withUrl, false)).toThrow(/base64/);
  });

  it('passes penalties as options and refuses logit_bias, which the native API lacks', () => {
    const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] };
    expect(toOllamaChatBody({ ...base, presencePenalty: 1, frequencyPenalty: -1 }, false).options).toEqual({ presence_penalty: 1, frequency_penalty: -1 });
    expect(() => toOllamaChatBody({ ...base, logitBias: { '42': 5 } }, false)).toThrow(
      expect.objectContaining({ code: 'unsupported_parameter', param: 'logit_bias' }),
    );
  });
});
