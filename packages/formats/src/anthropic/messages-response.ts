// Upstream: an Anthropic `message` body -> a canonical ChatResponse.
import type { ChatResponse, ContentPart, ToolCall } from '@switchyard/core';
import { GatewayError } from '@switchyard/core';
import { z } from 'zod';
import { fromAnthropicStopReason, fromAnthropicStopSequence } from './stop-reason.ts';
import { anthropicUsageSchema, fromAnthropicUsage } from './usage.ts';

const blockSchema = z.object({
  type: z.string(),
  text: z.string().nullish(),
  id: z.string().nullish(),
  name: z.string().nullish(),
  input: z.unknown().optional(),
});

const messageSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  content: z.array(blockSchema),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: anthropicUsageSchema,
});

export function fromAnthropicMessagesResponse(body: unknown): ChatResponse {
  const parsed = messageSchema.safeParse(body);
  if (!parsed.success) throw new GatewayError('upstream_error', 'upstream returned an unreadable response');
  const { id, model, content: blocks, stop_reason: stopReason, stop_sequence: sequence, usage } = parsed.data;
  const content: ContentPart[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of blocks) {
    if (block.type === 'text' && block.text) content.push({ type: 'text', text: block.text });
    if (block.type === 'tool_use' && block.id && block.name) {
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  const response: ChatResponse = {
    model: model ?? '',
    content,
    toolCalls,
    finishReason: fromAnthropicStopReason(stopReason),
    usage: fromAnthropicUsage(usage),
  };
  if (id) response.id = id;
  const stopSequence = fromAnthropicStopSequence(stopReason, sequence);
  if (stopSequence !== undefined) response.stopSequence = stopSequence;
  return response;
}
