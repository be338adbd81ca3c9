// Upstream: canonical legacy completions <-> an OpenAI-dialect `/completions` endpoint.
import type { CompletionRequest, CompletionResponse } from '@switchyard/core';
import { GatewayError } from '@switchyard/core';
import { z } from 'zod';
import { unreportedUsage } from '../shared/usage.ts';
import { fromOpenAIFinishReason } from './finish-reason.ts';
import { toOpenAISamplingPenalties } from './sampling-penalties.ts';
import { fromOpenAIUsage, openAIUsageSchema } from './usage.ts';

export function toOpenAICompletionBody(request: CompletionRequest, options: { stream: boolean }): Record<string, unknown> {
  const body: Record<string, unknown> = { model: request.model, prompt: request.prompt };
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user !== undefined) body.user = request.user;
  Object.assign(body, toOpenAISamplingPenalties(request));
  body.stream = options.stream;
  if (options.stream) body.stream_options = { include_usage: true };
  return body;
}

const responseSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z.array(z.object({ text: z.string().nullish(), finish_reason: z.string().nullish() })).min(1),
  usage: openAIUsageSchema.nullish(),
});

export function fromOpenAICompletionResponse(body: unknown): CompletionResponse {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) throw new GatewayError('upstream_error', 'upstream returned an unreadable response');
  const { id, model, choices, usage } = parsed.data;
  const [choice] = choices as [(typeof choices)[number]];
  const response: CompletionResponse = {
    model: model ?? '',
    text: choice.text ?? '',
    finishReason: fromOpenAIFinishReason(choice.finish_reason),
    usage: usage ? fromOpenAIUsage(usage) : unreportedUsage(),
  };
  if (id) response.id = id;
  return response;
}
