import type { CanonicalCall, InferenceEndpoint } from '@switchyard/core';
import { parseAnthropicMessagesRequest } from './anthropic/parse-messages-request.ts';
import { parseOpenAIChatRequest } from './openai/parse-chat-request.ts';
import { parseOpenAICompletionRequest } from './openai/parse-completion-request.ts';
import { parseOpenAIEmbeddingsRequest } from './openai/parse-embeddings-request.ts';
import { parseOpenAIImagesRequest } from './openai/parse-images-request.ts';

export type ParsedInference = {
  requestedModel: string;
  call: CanonicalCall;
  stream: boolean;
  includeUsage: boolean;
};

/** Validates a body in its endpoint's format and turns it into the canonical call. */
export function parseEndpointBody(endpoint: InferenceEndpoint, body: unknown): ParsedInference {
  switch (endpoint) {
    case '/v1/chat/completions': {
      const parsed = parseOpenAIChatRequest(body);
      return { requestedModel: parsed.model, call: { kind: 'chat', request: parsed.request }, stream: parsed.stream, includeUsage: parsed.includeUsage };
    }
    case '/v1/messages': {
      const parsed = parseAnthropicMessagesRequest(body);
      return { requestedModel: parsed.model, call: { kind: 'chat', request: parsed.request }, stream: parsed.stream, includeUsage: true };
    }
    case '/v1/embeddings': {
      const parsed = parseOpenAIEmbeddingsRequest(body);
      return {
        requestedModel: parsed.model,
        call: { kind: 'embeddings', request: parsed.request, encodingFormat: parsed.encodingFormat },
        stream: false,
        includeUsage: false,
      };
    }
    case '/v1/completions': {
      const parsed = parseOpenAICompletionRequest(body);
      return { requestedModel: parsed.model, call: { kind: 'completion', request: parsed.request }, stream: parsed.stream, includeUsage: false };
    }
    case '/v1/images/generations': {
      const parsed = parseOpenAIImagesRequest(body);
      return { requestedModel: parsed.model, call: { kind: 'image', request: parsed.request }, stream: parsed.stream, includeUsage: false };
    }
  }
}
