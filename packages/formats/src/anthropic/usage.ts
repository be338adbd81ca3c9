// Anthropic usage <-> canonical usage. Anthropic's `input_tokens` excludes cache reads and
// cache writes; canonical `inputTokens` counts every prompt token (as OpenAI does), with
// `cachedInputTokens` the part read from the cache and `cacheWriteInputTokens` the part
// written to it (each billed at its own price).
import type { Usage } from '@switchyard/core';
import { z } from 'zod';

export const anthropicUsageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
});

export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

export function fromAnthropicUsage(usage: AnthropicUsage): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const result: Usage = { inputTokens: (usage.input_tokens ?? 0) + cacheRead + cacheWrite, outputTokens: usage.output_tokens ?? 0 };
  if (typeof usage.cache_read_input_tokens === 'number') result.cachedInputTokens = usage.cache_read_input_tokens;
  if (typeof usage.cache_creation_input_tokens === 'number') result.cacheWriteInputTokens = usage.cache_creation_input_tokens;
  return result;
}

/** The cache counters appear only when known (a non-Anthropic upstream reports no cache writes). */
export function toAnthropicUsage(usage: Usage): Record<string, number> {
  const cached = usage.cachedInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  const result: Record<string, number> = { input_tokens: Math.max(0, usage.inputTokens - cached - cacheWrite), output_tokens: usage.outputTokens };
  if (usage.cachedInputTokens !== undefined) result.cache_read_input_tokens = usage.cachedInputTokens;
  if (usage.cacheWriteInputTokens !== undefined) result.cache_creation_input_tokens = usage.cacheWriteInputTokens;
  return result;
}
