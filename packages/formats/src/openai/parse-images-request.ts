// Ingress: an OpenAI `POST /v1/images/generations` body -> a canonical ImageRequest.
import type { ImageRequest } from '@switchyard/core';
import {
  invalid,
  isAbsent,
  optionalBoolean,
  optionalInteger,
  optionalString,
  requireBody,
  requireModel,
  requireNonEmptyString,
  requireOneOf,
} from './validation.ts';

export type ParsedOpenAIImagesRequest = { model: string; request: ImageRequest; stream: boolean };

/** OpenAI's own bound on `n`; a model may allow fewer (dall-e-3 only 1), which its upstream says. */
const maximumImages = 10;

export function parseOpenAIImagesRequest(body: unknown): ParsedOpenAIImagesRequest {
  const input = requireBody(body);
  const model = requireModel(input.model);
  const prompt = requireNonEmptyString(input.prompt, 'prompt');
  const n = optionalInteger(input.n, 'n', 1) ?? 1;
  if (n > maximumImages) invalid('n', `Invalid 'n': integer above maximum value. Expected a value <= ${maximumImages}, but got ${n} instead.`);
  const request: ImageRequest = { model, prompt, n };
  for (const field of ['size', 'quality', 'style', 'user', 'background', 'moderation'] as const) {
    const value = optionalString(input[field], field);
    if (value !== undefined) request[field] = value;
  }
  const outputFormat = optionalString(input.output_format, 'output_format');
  if (outputFormat !== undefined) request.outputFormat = outputFormat;
  const outputCompression = optionalInteger(input.output_compression, 'output_compression', 0);
  if (outputCompression !== undefined) request.outputCompression = outputCompression;
  if (!isAbsent(input.response_format)) request.responseFormat = requireOneOf(input.response_format, 'response_format', ['url', 'b64_json']);
  // Refused by the api (`streaming is not supported`), as on the other endpoints that never stream.
  const stream = optionalBoolean(input.stream, 'stream') ?? false;
  return { model, request, stream };
}
