// OpenAI usage <-> canonical usage. Canonical `inputTokens` counts every prompt token,
// cached ones included, as OpenAI's `prompt_tokens` does.
import { normalizeUsage, type Usage } from '@switchyard/core';
import { z } from 'zod';
import { reportedCount } from '../shared/usage.ts';

export const openAIUsageSchema = z.object({
  prompt_tokens: reportedCount,
  completion_tokens: reportedCount,
  prompt_tokens_details: z.object({ cached_tokens: reportedCount }).nullish(),
});

export function fromOpenAIUsage(usage: z.infer<typeof openAIUsageSchema>): Usage {
  const result: Usage = { inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0 };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') result.cachedInputTokens = cached;
  return normalizeUsage(result);
}

export function toOpenAIUsage(usage: Usage): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
  };
}
