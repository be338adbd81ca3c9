import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../__fixtures__/sse.ts';
import { fromOpenAICompletionResponse, toOpenAICompletionBody } from './completion.ts';

describe('OpenAI legacy completions upstream', () => {
  it('builds the request body, asking for usage when streaming', () => {
    expect(
      toOpenAICompletionBody({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', maxTokens: 7, temperature: 0, stop: ['\n'] }, { stream: true }),
    ).toEqual({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say this is a test',
      max_tokens: 7,
      temperature: 0,
      stop: ['\n'],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('forwards penalties and logit_bias', () => {
    expect(toOpenAICompletionBody({ model: 'm', prompt: 'p', presencePenalty: 0.5, frequencyPenalty: -0.5, logitBias: { '7': 3 } }, { stream: false })).toEqual(
      {
        model: 'm',
        prompt: 'p',
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
        logit_bias: { '7': 3 },
        stream: false,
      },
    );
  });

  it('reads a text_completion response', () => {
    expect(fromOpenAICompletionResponse(readJsonFixture('openai-completion-response.json'))).toEqual({
      id: 'cmpl-BXGqA1bC2dE3fG4hI5jK6lM7nO8pQ',
      model: 'gpt-3.5-turbo-instruct:20230824-v2',
      text: '\n\nThis is indeed a test.',
      finishReason: 'length',
      usage: { inputTokens: 5, outputTokens: 7 },
    });
  });

  it('throws upstream_error on garbage', () => {
    expect(() => fromOpenAICompletionResponse({ choices: [] })).toThrow('upstream returned an unreadable response');
  });
});
