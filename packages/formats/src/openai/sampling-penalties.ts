// OpenAI's token-level sampling controls, the same on chat and legacy completions:
// `presence_penalty` and `frequency_penalty` (-2..2) and `logit_bias`. Checked on the way
// in and forwarded on the way out, so none of them is accepted and then dropped.
import type { ChatRequest } from '@switchyard/core';
import { optionalLogitBias, optionalNumber } from './validation.ts';

export type SamplingPenalties = Pick<ChatRequest, 'presencePenalty' | 'frequencyPenalty' | 'logitBias'>;

export function parseSamplingPenalties(input: Record<string, unknown>): SamplingPenalties {
  const penalties: SamplingPenalties = {};
  const presencePenalty = optionalNumber(input.presence_penalty, 'presence_penalty', { min: -2, max: 2 });
  if (presencePenalty !== undefined) penalties.presencePenalty = presencePenalty;
  const frequencyPenalty = optionalNumber(input.frequency_penalty, 'frequency_penalty', { min: -2, max: 2 });
  if (frequencyPenalty !== undefined) penalties.frequencyPenalty = frequencyPenalty;
  const logitBias = optionalLogitBias(input.logit_bias, 'logit_bias');
  if (logitBias !== undefined) penalties.logitBias = logitBias;
  return penalties;
}

export function toOpenAISamplingPenalties(request: SamplingPenalties): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.logitBias !== undefined) body.logit_bias = request.logitBias;
  return body;
}
