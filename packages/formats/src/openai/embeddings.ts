// Upstream: canonical embeddings <-> an OpenAI-dialect `/embeddings` endpoint.
import type { EmbeddingsRequest, EmbeddingsResponse } from '@switchyard/core';
import { GatewayError, normalizeUsage } from '@switchyard/core';
import { z } from 'zod';
import { reportedCount, unreportedUsage } from '../shared/usage.ts';
import { decodeEmbeddingBase64 } from './render-embeddings.ts';

export function toOpenAIEmbeddingsBody(request: EmbeddingsRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model: request.model, input: request.input, encoding_format: 'float' };
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.user !== undefined) body.user = request.user;
  return body;
}

const responseSchema = z.object({
  model: z.string().nullish(),
  data: z.array(z.object({ index: z.number().int().nullish(), embedding: z.union([z.array(z.number()), z.string()]) })),
  usage: z.object({ prompt_tokens: reportedCount, total_tokens: reportedCount }).nullish(),
});

export function fromOpenAIEmbeddingsResponse(body: unknown): EmbeddingsResponse {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) throw new GatewayError('upstream_error', 'upstream returned an unreadable response');
  const { model, data, usage } = parsed.data;
  const ordered = data.map((item, position) => ({ index: item.index ?? position, embedding: item.embedding })).sort((a, b) => a.index - b.index);
  const inputTokens = usage?.prompt_tokens ?? usage?.total_tokens;
  return {
    model: model ?? '',
    embeddings: ordered.map((item) => (typeof item.embedding === 'string' ? decodeEmbeddingBase64(item.embedding) : item.embedding)),
    usage: inputTokens === undefined || inputTokens === null ? unreportedUsage() : normalizeUsage({ inputTokens, outputTokens: 0 }),
  };
}
