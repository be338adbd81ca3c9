import { GatewayError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { renderResponse } from '../response/render-response.ts';
import { fromOpenAIImagesResponse, toOpenAIImagesBody } from './images.ts';
import { renderOpenAIImages } from './render-images.ts';

describe('toOpenAIImagesBody', () => {
  it('sends only what the client set', () => {
    expect(toOpenAIImagesBody({ model: 'dall-e-3', prompt: 'p', n: 1 })).toEqual({ model: 'dall-e-3', prompt: 'p', n: 1 });
    expect(toOpenAIImagesBody({ model: 'm', prompt: 'p', n: 2, size: '512x512', quality: 'hd', style: 'natural', user: 'u', responseFormat: 'url' })).toEqual({
      model: 'm',
      prompt: 'p',
      n: 2,
      size: '512x512',
      quality: 'hd',
      style: 'natural',
      user: 'u',
      response_format: 'url',
    });
    expect(
      toOpenAIImagesBody({ model: 'gpt-image-1', prompt: 'p', n: 1, outputFormat: 'jpeg', outputCompression: 50, background: 'opaque', moderation: 'auto' }),
    ).toEqual({
      model: 'gpt-image-1',
      prompt: 'p',
      n: 1,
      output_format: 'jpeg',
      output_compression: 50,
      background: 'opaque',
      moderation: 'auto',
    });
  });
});

describe('fromOpenAIImagesResponse', () => {
  it('counts the images it got back as the billed usage', () => {
    const response = fromOpenAIImagesResponse({ created: 1, data: [{ url: 'https://x/1.png', revised_prompt: 'r' }, { b64_json: 'AAAA' }] }, 'dall-e-3');
    expect(response).toEqual({
      model: 'dall-e-3',
      images: [{ url: 'https://x/1.png', revisedPrompt: 'r' }, { b64Json: 'AAAA' }],
      usage: { inputTokens: 0, outputTokens: 0, images: 2 },
    });
  });

  it('keeps token usage where the model reports it', () => {
    const response = fromOpenAIImagesResponse(
      { data: [{ b64_json: 'AAAA' }], usage: { input_tokens: 12, output_tokens: 4160, total_tokens: 4172 } },
      'gpt-image-1',
    );
    expect(response.usage).toEqual({ inputTokens: 12, outputTokens: 4160, images: 1 });
  });

  it('refuses an unreadable body', () => {
    expect(() => fromOpenAIImagesResponse({ images: [] }, 'm')).toThrow(GatewayError);
  });
});

describe('renderOpenAIImages', () => {
  it("answers OpenAI's shape, with usage only when tokens were reported", () => {
    const images = [{ url: 'https://x/1.png', revisedPrompt: 'r' }, { b64Json: 'AAAA' }];
    expect(renderOpenAIImages({ model: 'm', images, usage: { inputTokens: 0, outputTokens: 0, images: 2 } }, { created: 5 })).toEqual({
      created: 5,
      data: [{ url: 'https://x/1.png', revised_prompt: 'r' }, { b64_json: 'AAAA' }],
    });
    expect(renderOpenAIImages({ model: 'm', images: [], usage: { inputTokens: 3, outputTokens: 7, images: 0 } }, { created: 5 }).usage).toEqual({
      input_tokens: 3,
      output_tokens: 7,
      total_tokens: 10,
    });
  });

  it('is what /v1/images/generations answers, created in seconds', () => {
    const result = { kind: 'image' as const, response: { model: 'm', images: [{ b64Json: 'AAAA' }], usage: { inputTokens: 0, outputTokens: 0, images: 1 } } };
    expect(renderResponse('/v1/images/generations', result, { requestId: 'req_1', createdAt: 1_747_220_611_900, model: 'mock-image' })).toEqual({
      created: 1_747_220_611,
      data: [{ b64_json: 'AAAA' }],
    });
    expect(() => renderResponse('/v1/chat/completions', result, { requestId: 'req_1', createdAt: 0, model: 'm' })).toThrow(GatewayError);
  });
});
