// The mock's image: one small fixed PNG, so image generation can be exercised (and billed)
// without any key or network.
import type { ImageRequest, ImageResponse } from '@switchyard/core';

/** A valid 1×1 PNG. */
const mockPngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** `n` copies of the PNG, inline by default or as `data:` URLs when the client asked for `url`. */
export function mockImages(request: ImageRequest): ImageResponse {
  const image = request.responseFormat === 'url' ? { url: `data:image/png;base64,${mockPngBase64}` } : { b64Json: mockPngBase64 };
  return {
    model: request.model,
    images: Array.from({ length: request.n }, () => ({ ...image })),
    usage: { inputTokens: 0, outputTokens: 0, images: request.n },
  };
}
