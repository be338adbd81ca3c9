// Upstream: canonical image generation <-> an OpenAI-dialect `/images/generations` endpoint.
import { GatewayError, normalizeUsage, type ImageRequest, type ImageResponse } from '@switchyard/core';
import { z } from 'zod';
import { reportedCount } from '../shared/usage.ts';

export function toOpenAIImagesBody(request: ImageRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model: request.model, prompt: request.prompt, n: request.n };
  if (request.size !== undefined) body.size = request.size;
  if (request.quality !== undefined) body.quality = request.quality;
  if (request.style !== undefined) body.style = request.style;
  if (request.user !== undefined) body.user = request.user;
  if (request.outputFormat !== undefined) body.output_format = request.outputFormat;
  if (request.background !== undefined) body.background = request.background;
  if (request.moderation !== undefined) body.moderation = request.moderation;
  if (request.outputCompression !== undefined) body.output_compression = request.outputCompression;
  if (request.responseFormat !== undefined) body.response_format = request.responseFormat;
  return body;
}

const responseSchema = z.object({
  data: z.array(z.object({ url: z.string().nullish(), b64_json: z.string().nullish(), revised_prompt: z.string().nullish() })),
  // gpt-image models report tokens; dall-e models report nothing and bill per image only.
  usage: z.object({ input_tokens: reportedCount, output_tokens: reportedCount }).nullish(),
});

/** The images as the upstream gave them; `usage.images` counts what it produced, which is what is billed. */
export function fromOpenAIImagesResponse(body: unknown, model: string): ImageResponse {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) throw new GatewayError('upstream_error', 'upstream returned an unreadable response');
  const images = parsed.data.data.map((item) => ({
    ...(item.url ? { url: item.url } : {}),
    ...(item.b64_json ? { b64Json: item.b64_json } : {}),
    ...(item.revised_prompt ? { revisedPrompt: item.revised_prompt } : {}),
  }));
  const usage = parsed.data.usage;
  const tokens = usage ? normalizeUsage({ inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 }) : { inputTokens: 0, outputTokens: 0 };
  return { model, images, usage: { ...tokens, images: images.length } };
}
