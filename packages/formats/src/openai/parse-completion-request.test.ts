import { GatewayError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { parseOpenAICompletionRequest } from './parse-completion-request.ts';

describe('parseOpenAICompletionRequest', () => {
  it('reads a string prompt and its options', () => {
    const parsed = parseOpenAICompletionRequest({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say this is a test',
      max_tokens: 7,
      temperature: 0,
      top_p: 1,
      stop: '\n',
      seed: 3,
      user: 'u',
      stream: true,
      logprobs: null,
    });
    expect(parsed).toEqual({
      model: 'gpt-3.5-turbo-instruct',
      stream: true,
      request: { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', maxTokens: 7, temperature: 0, topP: 1, stop: ['\n'], seed: 3, user: 'u' },
    });
  });

  it('unwraps a single-element prompt array', () => {
    expect(parseOpenAICompletionRequest({ model: 'm', prompt: ['only one'] }).request.prompt).toBe('only one');
  });

  it.each([
    ['a missing prompt', { model: 'm' }, /Missing required parameter: 'prompt'/],
    ['batched prompts', { model: 'm', prompt: ['a', 'b'] }, /batched prompts are not supported/],
    ['a token array prompt', { model: 'm', prompt: [1, 2] }, /token arrays are not supported/],
    ['a numeric prompt', { model: 'm', prompt: 3 }, /expected a string/],
  ])('rejects %s', (_name, body, message) => {
    expect(() => parseOpenAICompletionRequest(body)).toThrow(message);
    expect(() => parseOpenAICompletionRequest(body)).toThrow(GatewayError);
  });

  it('rejects n > 1 and a bad temperature with their param', () => {
    expect(() => parseOpenAICompletionRequest({ model: 'm', prompt: 'p', n: 3 })).toThrow('n > 1 is not supported');
    expect(() => parseOpenAICompletionRequest({ model: 'm', prompt: 'p', temperature: 3 })).toThrow(
      expect.objectContaining({ code: 'invalid_request', param: 'temperature' }),
    );
  });

  it('checks and keeps penalties and logit_bias, as chat does', () => {
    expect(
      parseOpenAICompletionRequest({ model: 'm', prompt: 'p', presence_penalty: 1, frequency_penalty: -1, logit_bias: { '50256': -100 } }).request,
    ).toMatchObject({
      presencePenalty: 1,
      frequencyPenalty: -1,
      logitBias: { '50256': -100 },
    });
    expect(() => parseOpenAICompletionRequest({ model: 'm', prompt: 'p', frequency_penalty: 2.5 })).toThrow(
      expect.objectContaining({ code: 'invalid_request', param: 'frequency_penalty' }),
    );
    expect(() => parseOpenAICompletionRequest({ model: 'm', prompt: 'p', logit_bias: { x: 1 } })).toThrow(
      expect.objectContaining({ code: 'invalid_request', param: 'logit_bias' }),
    );
  });
});
