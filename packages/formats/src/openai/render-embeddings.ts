// A canonical EmbeddingsResponse -> the OpenAI embeddings `list` object.
import type { EmbeddingsResponse } from '@switchyard/core';

/** OpenAI's base64 encoding: the vector as little-endian float32 bytes. */
export function encodeEmbeddingBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (const [index, value] of vector.entries()) bytes.writeFloatLE(value, index * 4);
  return bytes.toString('base64');
}

export function decodeEmbeddingBase64(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  const vector: number[] = [];
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) vector.push(bytes.readFloatLE(offset));
  return vector;
}

export function renderOpenAIEmbeddings(response: EmbeddingsResponse, meta: { model: string; encodingFormat: 'float' | 'base64' }): Record<string, unknown> {
  return {
    object: 'list',
    data: response.embeddings.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: meta.encodingFormat === 'base64' ? encodeEmbeddingBase64(vector) : vector,
    })),
    model: meta.model,
    usage: { prompt_tokens: response.usage.inputTokens, total_tokens: response.usage.inputTokens },
  };
}
