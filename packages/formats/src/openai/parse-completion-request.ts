// Ingress: a legacy OpenAI `POST /v1/completions` body -> a canonical CompletionRequest.
import type { CompletionRequest } from '@switchyard/core';
import { parseSamplingPenalties } from './sampling-penalties.ts';
import {
  invalid,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalStop,
  optionalString,
  requireBody,
  requireModel,
  requireSingleChoice,
} from './validation.ts';

export type ParsedOpenAICompletionRequest = { model: string; request: CompletionRequest; stream: boolean };

function parsePrompt(value: unknown): string {
  if (value === undefined || value === null) invalid('prompt', "Missing required parameter: 'prompt'.");
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const [first] = value;
    if (value.length === 1 && typeof first === 'string') return first;
    if (value.length > 1 && value.every((item) => typeof item === 'string')) {
      invalid('prompt', "Invalid 'prompt': batched prompts are not supported; send one prompt per request.");
    }
    invalid('prompt', "Invalid 'prompt': token arrays are not supported; send the prompt as a string.");
  }
  return invalid('prompt', "Invalid type for 'prompt': expected a string.");
}

export function parseOpenAICompletionRequest(body: unknown): ParsedOpenAICompletionRequest {
  const input = requireBody(body);
  const model = requireModel(input.model);
  const request: CompletionRequest = { model, prompt: parsePrompt(input.prompt) };
  requireSingleChoice(input.n);
  const maxTokens = optionalInteger(input.max_tokens, 'max_tokens', 1);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = optionalNumber(input.temperature, 'temperature', { min: 0, max: 2 });
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(input.top_p, 'top_p', { min: 0, max: 1 });
  if (topP !== undefined) request.topP = topP;
  const stop = optionalStop(input.stop, 'stop');
  if (stop !== undefined) request.stop = stop;
  const seed = optionalInteger(input.seed, 'seed');
  if (seed !== undefined) request.seed = seed;
  const user = optionalString(input.user, 'user');
  if (user !== undefined) request.user = user;
  Object.assign(request, parseSamplingPenalties(input));
  const stream = optionalBoolean(input.stream, 'stream') ?? false;
  return { model, request, stream };
}
