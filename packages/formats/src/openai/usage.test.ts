import { describe, expect, it } from 'vitest';
import { fromOpenAIUsage, openAIUsageSchema } from './usage.ts';

const parse = (usage: unknown) => fromOpenAIUsage(openAIUsageSchema.parse(usage));

describe('fromOpenAIUsage', () => {
  it('keeps reported counts', () => {
    expect(parse({ prompt_tokens: 12, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 2 } })).toEqual({
      inputTokens: 12,
      outputTokens: 7,
      cachedInputTokens: 2,
    });
  });

  it('zeroes and flags negative, absurd and non-numeric counts instead of failing the answer', () => {
    expect(parse({ prompt_tokens: -5, completion_tokens: 1e300 })).toEqual({ inputTokens: 0, outputTokens: 0, estimated: true });
    expect(parse({ prompt_tokens: '12', completion_tokens: Number.POSITIVE_INFINITY })).toEqual({ inputTokens: 0, outputTokens: 0, estimated: true });
  });

  it('cuts a cached count larger than the prompt', () => {
    expect(parse({ prompt_tokens: 3, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 9 } })).toEqual({
      inputTokens: 3,
      outputTokens: 1,
      cachedInputTokens: 3,
      estimated: true,
    });
  });
});
