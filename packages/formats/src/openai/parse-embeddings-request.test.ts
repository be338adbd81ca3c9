import { GatewayError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { parseOpenAIEmbeddingsRequest } from './parse-embeddings-request.ts';

describe('parseOpenAIEmbeddingsRequest', () => {
  it('wraps a single string input and defaults to float', () => {
    expect(parseOpenAIEmbeddingsRequest({ model: 'text-embedding-3-small', input: 'hello' })).toEqual({
      model: 'text-embedding-3-small',
      request: { model: 'text-embedding-3-small', input: ['hello'] },
      encodingFormat: 'float',
    });
  });

  it('keeps an array input, dimensions, user and base64 encoding', () => {
    const parsed = parseOpenAIEmbeddingsRequest({ model: 'e', input: ['a', 'b'], dimensions: 256, user: 'u', encoding_format: 'base64' });
    expect(parsed.request).toEqual({ model: 'e', input: ['a', 'b'], dimensions: 256, user: 'u' });
    expect(parsed.encodingFormat).toBe('base64');
  });

  it.each([
    ['a string body', 'x', null, /JSON object/],
    ['a missing model', { input: 'a' }, 'model', /must provide a model/],
    ['a missing input', { model: 'e' }, 'input', /Missing required parameter: 'input'/],
    ['an empty string', { model: 'e', input: '' }, 'input', /empty string/],
    ['an empty array', { model: 'e', input: [] }, 'input', /empty array/],
    ['a token array', { model: 'e', input: [1, 2, 3] }, 'input', /token arrays are not supported/],
    ['an array of token arrays', { model: 'e', input: [[1, 2]] }, 'input', /token arrays are not supported/],
    ['an object input', { model: 'e', input: { text: 'a' } }, 'input', /expected a string or an array of strings/],
    ['an unknown encoding', { model: 'e', input: 'a', encoding_format: 'int8' }, 'encoding_format', /Supported values are: 'float', and 'base64'/],
    ['zero dimensions', { model: 'e', input: 'a', dimensions: 0 }, 'dimensions', /Expected a value >= 1/],
  ])('rejects %s', (_name, body, param, message) => {
    let caught: unknown;
    try {
      parseOpenAIEmbeddingsRequest(body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).code).toBe('invalid_request');
    expect((caught as GatewayError).param).toBe(param);
    expect((caught as GatewayError).message).toMatch(message);
  });
});
