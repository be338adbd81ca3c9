// Ingress: an Anthropic `POST /v1/messages` body -> a canonical ChatRequest.
import type { ChatRequest } from '@switchyard/core';
import { isRecord } from '../shared/json.ts';
import { parseMessages, parseSystem } from './parse-messages.ts';
import { parseToolChoice, parseTools } from './parse-tools.ts';
import {
  invalid,
  isAbsent,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalString,
  requireArray,
  requireInteger,
  requireRecord,
  requireString,
} from './validation.ts';

export type ParsedAnthropicMessagesRequest = { model: string; request: ChatRequest; stream: boolean };

export function parseAnthropicMessagesRequest(body: unknown): ParsedAnthropicMessagesRequest {
  if (!isRecord(body)) invalid(null, 'The request body must be a JSON object.');
  const model = requireString(body.model, 'model');
  if (model === '') invalid('model', 'String should have at least 1 character');
  const maxTokens = requireInteger(body.max_tokens, 'max_tokens', 1);
  const messages = [...parseSystem(body.system), ...parseMessages(body.messages)];
  const request: ChatRequest = { model, messages, maxTokens };

  const temperature = optionalNumber(body.temperature, 'temperature', { min: 0, max: 1 });
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body.top_p, 'top_p', { min: 0, max: 1 });
  if (topP !== undefined) request.topP = topP;
  // top_k has no canonical equivalent; it is checked so a typo still fails loudly.
  optionalInteger(body.top_k, 'top_k', 0);
  if (!isAbsent(body.stop_sequences)) {
    const stop = requireArray(body.stop_sequences, 'stop_sequences').map((item, index) => requireString(item, `stop_sequences.${index}`));
    if (stop.length > 0) request.stop = stop;
  }
  const tools = parseTools(body.tools);
  if (tools !== undefined) request.tools = tools;
  const { toolChoice, parallelToolCalls } = parseToolChoice(body.tool_choice);
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  if (parallelToolCalls !== undefined) request.parallelToolCalls = parallelToolCalls;
  if (!isAbsent(body.metadata)) {
    const user = optionalString(requireRecord(body.metadata, 'metadata').user_id, 'metadata.user_id');
    if (user !== undefined) request.user = user;
  }
  const stream = optionalBoolean(body.stream, 'stream') ?? false;
  return { model, request, stream };
}
