import { describe, expect, it } from 'vitest';
import { anthropicUsageSchema, fromAnthropicUsage } from './usage.ts';

const parse = (usage: unknown) => fromAnthropicUsage(anthropicUsageSchema.parse(usage));

describe('fromAnthropicUsage', () => {
  it('counts cache reads and writes into the input', () => {
    expect(parse({ input_tokens: 5, output_tokens: 2, cache_read_input_tokens: 1000, cache_creation_input_tokens: 10 })).toEqual({
      inputTokens: 1015,
      outputTokens: 2,
      cachedInputTokens: 1000,
      cacheWriteInputTokens: 10,
    });
  });

  it('zeroes and flags a bad counter before summing, so it cannot hide in the total', () => {
    expect(parse({ input_tokens: 5, output_tokens: -3, cache_read_input_tokens: 1e300 })).toEqual({
      inputTokens: 5,
      outputTokens: 0,
      cachedInputTokens: 0,
      estimated: true,
    });
    expect(parse({ input_tokens: 'many', output_tokens: 2 })).toEqual({ inputTokens: 0, outputTokens: 2, estimated: true });
  });
});
