// The one choice of renderer for a whole (non-stream) response: a canonical result and
// the client's endpoint -> the exact body that endpoint answers.
import {
  GatewayError,
  type ChatResponse,
  type CompletionResponse,
  type EmbeddingsResponse,
  type ImageResponse,
  type InferenceEndpoint,
} from '@switchyard/core';
import { renderAnthropicMessage } from '../anthropic/render-message.ts';
import { renderOpenAIChatCompletion } from '../openai/render-chat-completion.ts';
import { renderOpenAICompletion } from '../openai/render-completion.ts';
import { renderOpenAIEmbeddings } from '../openai/render-embeddings.ts';
import { renderOpenAIImages } from '../openai/render-images.ts';
import { responseId } from './response-id.ts';

/** What a provider answered, before any client format. */
export type CanonicalResult =
  | { kind: 'chat'; response: ChatResponse }
  | { kind: 'embeddings'; response: EmbeddingsResponse; encodingFormat: 'float' | 'base64' }
  | { kind: 'completion'; response: CompletionResponse }
  | { kind: 'image'; response: ImageResponse };

export type ResponseMeta = {
  requestId: string;
  /** Epoch ms the request was accepted (OpenAI's `created`, in seconds). */
  createdAt: number;
  /** Catalog id of the serving model, which the body names. */
  model: string;
};

export function renderResponse(endpoint: InferenceEndpoint, result: CanonicalResult, meta: ResponseMeta): Record<string, unknown> {
  const created = Math.floor(meta.createdAt / 1000);
  if (result.kind === 'chat' && endpoint === '/v1/messages') {
    return renderAnthropicMessage(result.response, { id: responseId(endpoint, meta.requestId), model: meta.model });
  }
  if (result.kind === 'chat' && endpoint === '/v1/chat/completions') {
    return renderOpenAIChatCompletion(result.response, { id: responseId(endpoint, meta.requestId), created, model: meta.model });
  }
  if (result.kind === 'completion' && endpoint === '/v1/completions') {
    return renderOpenAICompletion(result.response, { id: responseId(endpoint, meta.requestId), created, model: meta.model });
  }
  if (result.kind === 'embeddings' && endpoint === '/v1/embeddings') {
    return renderOpenAIEmbeddings(result.response, { model: meta.model, encodingFormat: result.encodingFormat });
  }
  if (result.kind === 'image' && endpoint === '/v1/images/generations') return renderOpenAIImages(result.response, { created });
  throw new GatewayError('internal_error', `a ${result.kind} result cannot be answered on ${endpoint}`);
}
