// A canonical ImageResponse -> OpenAI's images response `{created, data, usage?}`.
import type { ImageResponse } from '@switchyard/core';

export function renderOpenAIImages(response: ImageResponse, meta: { created: number }): Record<string, unknown> {
  const body: Record<string, unknown> = {
    created: meta.created,
    data: response.images.map((image) => ({
      ...(image.url !== undefined ? { url: image.url } : {}),
      ...(image.b64Json !== undefined ? { b64_json: image.b64Json } : {}),
      ...(image.revisedPrompt !== undefined ? { revised_prompt: image.revisedPrompt } : {}),
    })),
  };
  // Token usage exists only where the model reports it (gpt-image models); dall-e bills per image alone.
  const { inputTokens, outputTokens } = response.usage;
  if (inputTokens > 0 || outputTokens > 0) body.usage = { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
  return body;
}
