// A canonical ChatResponse -> the exact OpenAI `chat.completion` object.
import type { ChatResponse, ToolCall } from '@switchyard/core';
import { textOf } from '@switchyard/core';
import { toOpenAIFinishReason } from './finish-reason.ts';
import { toOpenAIUsage } from './usage.ts';

export type OpenAIRenderMeta = { id: string; created: number; model: string };

export function toOpenAIToolCall(call: ToolCall): Record<string, unknown> {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
}

export function renderOpenAIChatCompletion(response: ChatResponse, meta: OpenAIRenderMeta): Record<string, unknown> {
  const text = textOf(response.content);
  const hasToolCalls = response.toolCalls.length > 0;
  const message: Record<string, unknown> = { role: 'assistant', content: text === '' && hasToolCalls ? null : text };
  if (hasToolCalls) message.tool_calls = response.toolCalls.map(toOpenAIToolCall);
  message.refusal = null;
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIFinishReason(response.finishReason) }],
    usage: toOpenAIUsage(response.usage),
    system_fingerprint: null,
  };
}
