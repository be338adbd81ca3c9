// Anthropic usage <-> canonical usage. Anthropic's `input_tokens` excludes cache reads and
// cache writes; canonical `inputTokens` counts every prompt token (as OpenAI does), with
// `cachedInputTokens` the part read from the cache and `cacheWriteInputTokens` the part
// written to it (each billed at its own price).
import { normalizeTokenCount, type Usage } from '@switchyard/core';
import { z } from 'zod';
import { reportedCount } from '../shared/usage.ts';

export const anthropicUsageSchema = z.object({
  input_tokens: reportedCount,
  output_tokens: reportedCount,
  cache_read_input_tokens: reportedCount,
  cache_creation_input_tokens: reportedCount,
});

export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

export function fromAnthropicUsage(usage: AnthropicUsage): Usage {
  // Each counter is checked on its own before the sum, so one bad counter cannot hide in it.
  let believable = true;
  const count = (value: number | null | undefined): number => {
    const normalized = normalizeTokenCount(value ?? 0);
    if (normalized === undefined) believable = false;
    return normalized ?? 0;
  };
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const result: Usage = { inputTokens: count(usage.input_tokens) + cacheRead + cacheWrite, outputTokens: count(usage.output_tokens) };
  if (typeof usage.cache_read_input_tokens === 'number') result.cachedInputTokens = cacheRead;
  if (typeof usage.cache_creation_input_tokens === 'number') result.cacheWriteInputTokens = cacheWrite;
  if (!believable) result.estimated = true;
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
