// Upstream: a canonical ChatRequest -> an Anthropic `POST /v1/messages` body.
import type { CanonicalMessage, ChatRequest, ContentPart, ToolChoice } from '@switchyard/core';
import { GatewayError, textOf } from '@switchyard/core';
import { parseJsonObject } from '../shared/json.ts';

export type AnthropicMessagesBodyOptions = { stream: boolean; defaultMaxTokens: number };

type Block = Record<string, unknown>;
type AnthropicMessage = { role: 'user' | 'assistant'; content: Block[] };

/** Anthropic rejects empty text blocks, so they are dropped. */
function toBlocks(content: ContentPart[]): Block[] {
  const blocks: Block[] = [];
  for (const part of content) {
    if (part.type === 'text') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else if (part.source.type === 'url') {
      blocks.push({ type: 'image', source: { type: 'url', url: part.source.url } });
    } else {
      blocks.push({ type: 'image', source: { type: 'base64', media_type: part.source.mediaType, data: part.source.data } });
    }
  }
  return blocks;
}

function toToolResult(message: Extract<CanonicalMessage, { role: 'tool' }>): Block {
  const block: Block = { type: 'tool_result', tool_use_id: message.toolCallId };
  const onlyText = message.content.every((part) => part.type === 'text');
  const text = textOf(message.content);
  if (onlyText && text !== '') block.content = text;
  if (!onlyText) block.content = toBlocks(message.content);
  if (message.isError) block.is_error = true;
  return block;
}

function toAnthropicMessage(message: Exclude<CanonicalMessage, { role: 'system' }>): AnthropicMessage {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: toBlocks(message.content) };
    case 'assistant': {
      const toolUses = (message.toolCalls ?? []).map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: parseJsonObject(call.arguments) }));
      return { role: 'assistant', content: [...toBlocks(message.content), ...toolUses] };
    }
    case 'tool':
      return { role: 'user', content: [toToolResult(message)] };
  }
}

/** Anthropic wants alternating turns; tool results become user turns, so neighbours merge. */
function toAnthropicMessages(messages: CanonicalMessage[]): AnthropicMessage[] {
  const result: AnthropicMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    const converted = toAnthropicMessage(message);
    if (converted.content.length === 0) continue;
    const previous = result.at(-1);
    if (previous?.role === converted.role) previous.content.push(...converted.content);
    else result.push(converted);
  }
  return result;
}

function toAnthropicToolChoice(choice: ToolChoice | undefined, parallelToolCalls: boolean | undefined): Block | undefined {
  let block: Block | undefined;
  if (choice === 'auto') block = { type: 'auto' };
  else if (choice === 'required') block = { type: 'any' };
  else if (choice === 'none') return { type: 'none' };
  else if (choice !== undefined) block = { type: 'tool', name: choice.name };
  if (parallelToolCalls === false) return { ...(block ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return block;
}

/**
 * What Anthropic has no equivalent for is refused, not dropped: the caller asked for an
 * effect it would silently not get. Zero penalties and an empty bias ask for nothing.
 */
function refuseUnsupported(request: ChatRequest): void {
  const unsupported = (param: string) => new GatewayError('unsupported_parameter', `Anthropic models do not support ${param}`, { param });
  if (request.logitBias !== undefined && Object.keys(request.logitBias).length > 0) throw unsupported('logit_bias');
  if (request.presencePenalty) throw unsupported('presence_penalty');
  if (request.frequencyPenalty) throw unsupported('frequency_penalty');
}

export function toAnthropicMessagesBody(request: ChatRequest, options: AnthropicMessagesBodyOptions): Record<string, unknown> {
  refuseUnsupported(request);
  const body: Record<string, unknown> = { model: request.model, max_tokens: request.maxTokens ?? options.defaultMaxTokens };
  const system = request.messages.flatMap((message) => (message.role === 'system' && message.content !== '' ? [message.content] : []));
  if (system.length > 0) body.system = system.join('\n\n');
  body.messages = toAnthropicMessages(request.messages);
  // OpenAI allows temperatures up to 2, Anthropic up to 1.
  if (request.temperature !== undefined) body.temperature = Math.min(request.temperature, 1);
  if (request.topP !== undefined) body.top_p = request.topP;
  // Anthropic rejects whitespace-only stop sequences (OpenAI clients often send "\n").
  const stop = (request.stop ?? []).filter((sequence) => sequence.trim() !== '');
  if (stop.length > 0) body.stop_sequences = stop;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      input_schema: tool.parameters,
    }));
    const toolChoice = toAnthropicToolChoice(request.toolChoice, request.parallelToolCalls);
    if (toolChoice !== undefined) body.tool_choice = toolChoice;
  }
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (options.stream) body.stream = true;
  return body;
}
