// Model lists as upstreams answer them, parsed to the few fields the catalog shows.
import { ProviderError } from '@switchyard/core';
import { z } from 'zod';
import type { UpstreamModel } from '../types.ts';
import type { HttpContext } from './http-context.ts';

const openAIListSchema = z.object({
  data: z.array(z.object({ id: z.string().min(1), owned_by: z.string().nullish(), created: z.number().nullish() })),
});
const ollamaTagsSchema = z.object({ models: z.array(z.object({ name: z.string().min(1), model: z.string().nullish() })) });

/** OpenAI's `GET /models` (also vLLM's, Ollama's /v1 and Azure's `GET /openai/models`). */
export function openAIModelList(body: unknown, context: HttpContext): UpstreamModel[] {
  const parsed = openAIListSchema.safeParse(body);
  if (!parsed.success) throw unreadableList(context);
  return parsed.data.data.map((model) => ({
    id: model.id,
    ...(model.owned_by ? { ownedBy: model.owned_by } : {}),
    ...(model.created == null ? {} : { created: model.created }),
  }));
}

/** Ollama's `GET /api/tags`: the models pulled on that server. */
export function ollamaModelList(body: unknown, context: HttpContext): UpstreamModel[] {
  const parsed = ollamaTagsSchema.safeParse(body);
  if (!parsed.success) throw unreadableList(context);
  return parsed.data.models.map((model) => ({ id: model.model ?? model.name, ownedBy: 'ollama' }));
}

function unreadableList(context: HttpContext): ProviderError {
  return new ProviderError('upstream_error', `${context.provider} returned a model list the gateway could not read`, {
    provider: context.provider,
    upstreamStatus: 200,
    retryable: false,
  });
}
