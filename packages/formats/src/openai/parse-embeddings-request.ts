// Ingress: an OpenAI `POST /v1/embeddings` body -> a canonical EmbeddingsRequest.
import type { EmbeddingsRequest } from '@switchyard/core';
import { invalid, isAbsent, optionalInteger, optionalString, requireBody, requireModel, requireOneOf } from './validation.ts';

export type ParsedOpenAIEmbeddingsRequest = { model: string; request: EmbeddingsRequest; encodingFormat: 'float' | 'base64' };

const maximumInputs = 2048;
const tokenArrayMessage = "Invalid 'input': token arrays are not supported; send the text as a string or an array of strings.";

function parseInput(value: unknown): string[] {
  if (value === undefined || value === null) invalid('input', "Missing required parameter: 'input'.");
  if (typeof value === 'string') {
    if (value.length === 0) invalid('input', "Invalid 'input': empty string. Expected a non-empty string.");
    return [value];
  }
  if (!Array.isArray(value)) invalid('input', "Invalid type for 'input': expected a string or an array of strings.");
  if (value.length === 0) invalid('input', "Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array instead.");
  if (value.length > maximumInputs) {
    invalid(
      'input',
      `Invalid 'input': array too long. Expected an array with maximum length ${maximumInputs}, but got an array with length ${value.length} instead.`,
    );
  }
  return value.map((item, index) => {
    if (typeof item === 'number' || Array.isArray(item)) invalid('input', tokenArrayMessage);
    if (typeof item !== 'string') invalid(`input[${index}]`, `Invalid type for 'input[${index}]': expected a string.`);
    if (item.length === 0) invalid(`input[${index}]`, `Invalid 'input[${index}]': empty string. Expected a non-empty string.`);
    return item;
  });
}

export function parseOpenAIEmbeddingsRequest(body: unknown): ParsedOpenAIEmbeddingsRequest {
  const input = requireBody(body);
  const model = requireModel(input.model);
  const request: EmbeddingsRequest = { model, input: parseInput(input.input) };
  const dimensions = optionalInteger(input.dimensions, 'dimensions', 1);
  if (dimensions !== undefined) request.dimensions = dimensions;
  const user = optionalString(input.user, 'user');
  if (user !== undefined) request.user = user;
  const encodingFormat = isAbsent(input.encoding_format) ? 'float' : requireOneOf(input.encoding_format, 'encoding_format', ['float', 'base64']);
  return { model, request, encodingFormat };
}
