import { GatewayError, type ChatResponse } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { renderAnthropicMessage } from '../anthropic/render-message.ts';
import { renderOpenAIChatCompletion } from '../openai/render-chat-completion.ts';
import { renderOpenAICompletion } from '../openai/render-completion.ts';
import { renderOpenAIEmbeddings } from '../openai/render-embeddings.ts';
import { renderResponse } from './render-response.ts';
import { responseId } from './response-id.ts';

const meta = { requestId: 'req_01abc', createdAt: 1_747_220_611_900, model: 'gpt-4o' };
const chat: ChatResponse = {
  model: 'gpt-4o-2024',
  content: [{ type: 'text', text: 'Hi' }],
  toolCalls: [],
  finishReason: 'stop',
  usage: { inputTokens: 3, outputTokens: 1 },
};

describe('responseId', () => {
  it("derives each endpoint's id from the request id without its req_", () => {
    expect(responseId('/v1/chat/completions', 'req_01abc')).toBe('chatcmpl-01abc');
    expect(responseId('/v1/messages', 'req_01abc')).toBe('msg_01abc');
    expect(responseId('/v1/completions', 'req_01abc')).toBe('cmpl-01abc');
    expect(responseId('/v1/messages', 'batch-7')).toBe('msg_batch-7');
  });
});

describe('renderResponse', () => {
  it("answers a chat result in the endpoint's format, with the id rule and `created` in seconds", () => {
    expect(renderResponse('/v1/chat/completions', { kind: 'chat', response: chat }, meta)).toEqual(
      renderOpenAIChatCompletion(chat, { id: 'chatcmpl-01abc', created: 1_747_220_611, model: 'gpt-4o' }),
    );
    expect(renderResponse('/v1/messages', { kind: 'chat', response: chat }, meta)).toEqual(renderAnthropicMessage(chat, { id: 'msg_01abc', model: 'gpt-4o' }));
  });

  it('answers completions and embeddings on their endpoints', () => {
    const completion = { model: 'm', text: 'one', finishReason: 'length' as const, usage: { inputTokens: 1, outputTokens: 1 } };
    expect(renderResponse('/v1/completions', { kind: 'completion', response: completion }, meta)).toEqual(
      renderOpenAICompletion(completion, { id: 'cmpl-01abc', created: 1_747_220_611, model: 'gpt-4o' }),
    );
    const embeddings = { model: 'e', embeddings: [[0.5, 0.25]], usage: { inputTokens: 2, outputTokens: 0 } };
    expect(renderResponse('/v1/embeddings', { kind: 'embeddings', response: embeddings, encodingFormat: 'base64' }, meta)).toEqual(
      renderOpenAIEmbeddings(embeddings, { model: 'gpt-4o', encodingFormat: 'base64' }),
    );
  });

  it('refuses a result its endpoint cannot answer', () => {
    expect(() => renderResponse('/v1/embeddings', { kind: 'chat', response: chat }, meta)).toThrow(GatewayError);
  });
});
