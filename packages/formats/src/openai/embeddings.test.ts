import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../__fixtures__/sse.ts';
import { fromOpenAIEmbeddingsResponse, toOpenAIEmbeddingsBody } from './embeddings.ts';
import { encodeEmbeddingBase64 } from './render-embeddings.ts';

describe('OpenAI embeddings upstream', () => {
  it('builds the request body', () => {
    expect(toOpenAIEmbeddingsBody({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 512, user: 'u' })).toEqual({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'float',
      dimensions: 512,
      user: 'u',
    });
  });

  it('reads a response, ordering vectors by index', () => {
    expect(fromOpenAIEmbeddingsResponse(readJsonFixture('openai-embeddings-response.json'))).toEqual({
      model: 'text-embedding-3-small',
      embeddings: [
        [-0.0069292835, 0.0055326946, -0.0189204],
        [0.0023064255, -0.009327292, 0.015797347],
      ],
      usage: { inputTokens: 9, outputTokens: 0 },
    });
  });

  it('decodes base64 vectors and flags missing usage', () => {
    const response = fromOpenAIEmbeddingsResponse({ model: 'e', data: [{ index: 0, embedding: encodeEmbeddingBase64([0.25, -2]) }] });
    expect(response).toEqual({ model: 'e', embeddings: [[0.25, -2]], usage: { inputTokens: 0, outputTokens: 0, estimated: true } });
  });

  it('throws upstream_error on garbage', () => {
    expect(() => fromOpenAIEmbeddingsResponse({ data: 'x' })).toThrow('upstream returned an unreadable response');
  });
});
