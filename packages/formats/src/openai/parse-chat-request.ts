// Ingress: an OpenAI `POST /v1/chat/completions` body -> a canonical ChatRequest.
import type { ChatRequest } from '@switchyard/core';
import { parseMessages } from './parse-messages.ts';
import { parseToolChoice, parseTools } from './parse-tools.ts';
import { parseSamplingPenalties } from './sampling-penalties.ts';
import {
  isAbsent,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalStop,
  optionalString,
  requireBody,
  requireModel,
  requireOneOf,
  requireRecord,
  requireSingleChoice,
  requireString,
} from './validation.ts';

export type ParsedOpenAIChatRequest = { model: string; request: ChatRequest; stream: boolean; includeUsage: boolean };

function parseResponseFormat(value: unknown): ChatRequest['responseFormat'] {
  if (isAbsent(value)) return undefined;
  const format = requireRecord(value, 'response_format');
  const type = requireOneOf(format.type, 'response_format.type', ['text', 'json_object', 'json_schema']);
  if (type !== 'json_schema') return { type };
  const jsonSchema = requireRecord(format.json_schema, 'response_format.json_schema');
  const name = requireString(jsonSchema.name, 'response_format.json_schema.name');
  const schema = isAbsent(jsonSchema.schema) ? {} : requireRecord(jsonSchema.schema, 'response_format.json_schema.schema');
  return { type: 'json_schema', name, schema };
}

export function parseOpenAIChatRequest(body: unknown): ParsedOpenAIChatRequest {
  const input = requireBody(body);
  const model = requireModel(input.model);
  const messages = parseMessages(input.messages);
  requireSingleChoice(input.n);
  const request: ChatRequest = { model, messages };

  const maxTokens = optionalInteger(input.max_completion_tokens, 'max_completion_tokens', 1) ?? optionalInteger(input.max_tokens, 'max_tokens', 1);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = optionalNumber(input.temperature, 'temperature', { min: 0, max: 2 });
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(input.top_p, 'top_p', { min: 0, max: 1 });
  if (topP !== undefined) request.topP = topP;
  const stop = optionalStop(input.stop, 'stop');
  if (stop !== undefined) request.stop = stop;
  const tools = parseTools(input.tools);
  if (tools !== undefined) request.tools = tools;
  const toolChoice = parseToolChoice(input.tool_choice);
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  const parallelToolCalls = optionalBoolean(input.parallel_tool_calls, 'parallel_tool_calls');
  if (parallelToolCalls !== undefined) request.parallelToolCalls = parallelToolCalls;
  Object.assign(request, parseSamplingPenalties(input));
  const seed = optionalInteger(input.seed, 'seed');
  if (seed !== undefined) request.seed = seed;
  const user = optionalString(input.user, 'user');
  if (user !== undefined) request.user = user;
  const responseFormat = parseResponseFormat(input.response_format);
  if (responseFormat !== undefined) request.responseFormat = responseFormat;

  const stream = optionalBoolean(input.stream, 'stream') ?? false;
  const streamOptions = isAbsent(input.stream_options) ? {} : requireRecord(input.stream_options, 'stream_options');
  const includeUsage = stream && optionalBoolean(streamOptions.include_usage, 'stream_options.include_usage') === true;
  return { model, request, stream, includeUsage };
}
