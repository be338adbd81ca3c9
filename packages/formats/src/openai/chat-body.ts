// Upstream: a canonical ChatRequest -> an OpenAI `chat/completions` request body.
import type { ChatRequest, ToolChoice } from '@switchyard/core';
import { toOpenAISamplingPenalties } from './sampling-penalties.ts';
import { toOpenAIMessage } from './to-messages.ts';

export type OpenAIChatBodyOptions = { stream: boolean; maxTokensField?: 'max_tokens' | 'max_completion_tokens' };

function toOpenAIToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function toOpenAIResponseFormat(format: NonNullable<ChatRequest['responseFormat']>): Record<string, unknown> {
  if (format.type !== 'json_schema') return { type: format.type };
  return { type: 'json_schema', json_schema: { name: format.name ?? 'response', schema: format.schema } };
}

export function toOpenAIChatBody(request: ChatRequest, options: OpenAIChatBodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { model: request.model, messages: request.messages.map(toOpenAIMessage) };
  if (request.maxTokens !== undefined) body[options.maxTokensField ?? 'max_tokens'] = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  // OpenAI rejects tool_choice and parallel_tool_calls without tools.
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters: tool.parameters },
    }));
    if (request.toolChoice !== undefined) body.tool_choice = toOpenAIToolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  Object.assign(body, toOpenAISamplingPenalties(request));
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user !== undefined) body.user = request.user;
  if (request.responseFormat !== undefined) body.response_format = toOpenAIResponseFormat(request.responseFormat);
  body.stream = options.stream;
  // The ledger prices streamed calls from upstream-reported usage, so always ask for it.
  if (options.stream) body.stream_options = { include_usage: true };
  return body;
}
