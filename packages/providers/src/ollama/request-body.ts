// Canonical request -> Ollama's native /api/chat body.
import { GatewayError, textOf, type CanonicalMessage, type ChatRequest, type ContentPart } from '@switchyard/core';

type OllamaMessage = { role: string; content: string; images?: string[]; tool_calls?: unknown[]; tool_name?: string };

export function toOllamaChatBody(request: ChatRequest, stream: boolean): Record<string, unknown> {
  const toolNames = new Map<string, string>();
  for (const message of request.messages) {
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) toolNames.set(call.id, call.name);
  }
  const body: Record<string, unknown> = { model: request.model, messages: request.messages.map((message) => toOllamaMessage(message, toolNames)), stream };
  const options: Record<string, unknown> = {};
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
  if (request.stop?.length) options.stop = request.stop;
  if (request.seed !== undefined) options.seed = request.seed;
  if (request.presencePenalty !== undefined) options.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) options.frequency_penalty = request.frequencyPenalty;
  // The native API has no logit bias; refused rather than silently dropped.
  if (request.logitBias !== undefined && Object.keys(request.logitBias).length > 0)
    throw new GatewayError('unsupported_parameter', 'ollama does not support logit_bias', { param: 'logit_bias' });
  if (Object.keys(options).length > 0) body.options = options;
  const tools = toolsFor(request);
  if (tools.length > 0) body.tools = tools;
  if (request.responseFormat?.type === 'json_object') body.format = 'json';
  if (request.responseFormat?.type === 'json_schema') body.format = request.responseFormat.schema;
  return body;
}

/** Ollama has no tool_choice: `none` drops the tools, a named tool is sent alone. */
function toolsFor(request: ChatRequest): unknown[] {
  if (!request.tools?.length || request.toolChoice === 'none') return [];
  const choice = request.toolChoice;
  const tools = typeof choice === 'object' ? request.tools.filter((tool) => tool.name === choice.name) : request.tools;
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters: tool.parameters },
  }));
}

function toOllamaMessage(message: CanonicalMessage, toolNames: Map<string, string>): OllamaMessage {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user': {
      const images = imagesOf(message.content);
      return { role: 'user', content: textOf(message.content), ...(images.length > 0 ? { images } : {}) };
    }
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      const toolCalls = calls.map((call) => ({ function: { name: call.name, arguments: argumentsObject(call.arguments) } }));
      return { role: 'assistant', content: textOf(message.content), ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) };
    }
    case 'tool': {
      const toolName = toolNames.get(message.toolCallId);
      return { role: 'tool', content: textOf(message.content), ...(toolName ? { tool_name: toolName } : {}) };
    }
  }
}

/** Ollama takes images only as bare base64. */
function imagesOf(content: ContentPart[]): string[] {
  const images: string[] = [];
  for (const part of content) {
    if (part.type !== 'image') continue;
    if (part.source.type === 'base64') {
      images.push(part.source.data);
      continue;
    }
    const inline = /^data:[^;,]+;base64,(.*)$/s.exec(part.source.url);
    if (!inline) throw new GatewayError('unsupported_parameter', 'ollama accepts only inline (base64) images, not image URLs', { param: 'messages' });
    images.push(inline[1]!);
  }
  return images;
}

function argumentsObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
