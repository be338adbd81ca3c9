import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../__fixtures__/rejection.ts';
import { parseEndpointBody } from '../parse-endpoint-body.ts';
import { parseOpenAIImagesRequest } from './parse-images-request.ts';

describe('parseOpenAIImagesRequest', () => {
  it('defaults to one image and leaves the format to the model', () => {
    expect(parseOpenAIImagesRequest({ model: 'dall-e-3', prompt: 'a lighthouse' })).toEqual({
      model: 'dall-e-3',
      request: { model: 'dall-e-3', prompt: 'a lighthouse', n: 1 },
      stream: false,
    });
  });

  it('keeps n, size, quality, style, user and the response format', () => {
    const parsed = parseOpenAIImagesRequest({
      model: 'm',
      prompt: 'p',
      n: 3,
      size: '1024x1024',
      quality: 'hd',
      style: 'vivid',
      user: 'u-1',
      response_format: 'b64_json',
    });
    expect(parsed.request).toEqual({
      model: 'm',
      prompt: 'p',
      n: 3,
      size: '1024x1024',
      quality: 'hd',
      style: 'vivid',
      user: 'u-1',
      responseFormat: 'b64_json',
    });
  });

  it("keeps the gpt-image models' output options", () => {
    const parsed = parseOpenAIImagesRequest({
      model: 'm',
      prompt: 'p',
      output_format: 'webp',
      output_compression: 80,
      background: 'transparent',
      moderation: 'low',
    });
    expect(parsed.request).toEqual({
      model: 'm',
      prompt: 'p',
      n: 1,
      outputFormat: 'webp',
      outputCompression: 80,
      background: 'transparent',
      moderation: 'low',
    });
  });

  it('reports `stream` for the api to refuse', () => {
    expect(parseOpenAIImagesRequest({ model: 'm', prompt: 'p', stream: true }).stream).toBe(true);
  });

  it.each([
    ['a missing model', { prompt: 'p' }, 'model', /must provide a model/],
    ['a missing prompt', { model: 'm' }, 'prompt', /Missing required parameter: 'prompt'/],
    ['an empty prompt', { model: 'm', prompt: '' }, 'prompt', /empty string/],
    ['zero images', { model: 'm', prompt: 'p', n: 0 }, 'n', /Expected a value >= 1/],
    ['eleven images', { model: 'm', prompt: 'p', n: 11 }, 'n', /<= 10/],
    ['an unknown response format', { model: 'm', prompt: 'p', response_format: 'png' }, 'response_format', /'url', and 'b64_json'/],
    ['a size that is not a string', { model: 'm', prompt: 'p', size: 1024 }, 'size', /expected a string/],
    ['a negative compression', { model: 'm', prompt: 'p', output_compression: -1 }, 'output_compression', /Expected a value >= 0/],
  ])('rejects %s', (_name, body, param, message) => {
    const error = rejectionOf(parseOpenAIImagesRequest, body);
    expect(error.code).toBe('invalid_request');
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it('is the canonical image call of /v1/images/generations', () => {
    expect(parseEndpointBody('/v1/images/generations', { model: 'm', prompt: 'p', n: 2 })).toEqual({
      requestedModel: 'm',
      call: { kind: 'image', request: { model: 'm', prompt: 'p', n: 2 } },
      stream: false,
      includeUsage: false,
    });
  });
});
