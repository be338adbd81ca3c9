// A canonical CompletionResponse -> the legacy OpenAI `text_completion` object.
import type { CompletionResponse } from '@switchyard/core';
import { toOpenAIFinishReason } from './finish-reason.ts';
import type { OpenAIRenderMeta } from './render-chat-completion.ts';

export function renderOpenAICompletion(response: CompletionResponse, meta: OpenAIRenderMeta): Record<string, unknown> {
  const { inputTokens, outputTokens } = response.usage;
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    choices: [{ text: response.text, index: 0, logprobs: null, finish_reason: toOpenAIFinishReason(response.finishReason) }],
    usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
    system_fingerprint: null,
  };
}
