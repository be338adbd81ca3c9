// A canonical ChatResponse -> the exact Anthropic `message` object.
import type { ChatResponse } from '@switchyard/core';
import { parseJsonObject } from '../shared/json.ts';
import { toAnthropicStop } from './stop-reason.ts';
import { toAnthropicUsage } from './usage.ts';

export type AnthropicRenderMeta = { id: string; model: string };

export function renderAnthropicMessage(response: ChatResponse, meta: AnthropicRenderMeta): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  for (const part of response.content) if (part.type === 'text' && part.text !== '') content.push({ type: 'text', text: part.text });
  // The SDK's text helpers expect a text block unless the model only called tools.
  if (content.length === 0 && response.toolCalls.length === 0) content.push({ type: 'text', text: '' });
  for (const call of response.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: parseJsonObject(call.arguments) });
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    ...toAnthropicStop(response),
    // Anthropic always reports cache writes in a message body, zero when there were none.
    usage: { cache_creation_input_tokens: 0, ...toAnthropicUsage(response.usage) },
  };
}
