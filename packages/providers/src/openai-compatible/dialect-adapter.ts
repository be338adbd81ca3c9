// The OpenAI-dialect adapter. openai-compatible and azure-openai differ only in how they
// build URLs and authenticate, which the dialect supplies.
import { GatewayError, type ChatRequest } from '@switchyard/core';
import {
  fromOpenAIChatResponse,
  fromOpenAICompletionResponse,
  fromOpenAIEmbeddingsResponse,
  fromOpenAIImagesResponse,
  toOpenAIChatBody,
  toOpenAICompletionBody,
  toOpenAIEmbeddingsBody,
  toOpenAIImagesBody,
} from '@switchyard/formats';
import type { HttpContext } from '../http/http-context.ts';
import { getJson } from '../http/get-json.ts';
import { openAIModelList } from '../http/model-list.ts';
import { postJson, readJson } from '../http/post-json.ts';
import { runCall, streamCall } from '../http/run-call.ts';
import type { ProviderAdapter } from '../types.ts';
import { openAIStreamDecoder } from './stream-parts.ts';

export type OpenAIEndpoint = 'chat/completions' | 'embeddings' | 'completions' | 'images/generations';

export type OpenAIDialect = {
  url(endpoint: OpenAIEndpoint, model: string): string;
  /** Authentication and configured headers. */
  headers: Record<string, string>;
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  tools: boolean;
  embeddings: boolean;
  completions: boolean;
  /** Where the upstream lists its models (`GET`); absent: it has no list. */
  modelsUrl?: string;
};

export function createOpenAIDialectAdapter(context: HttpContext, dialect: OpenAIDialect): ProviderAdapter {
  const chatBody = (request: ChatRequest, stream: boolean) =>
    toOpenAIChatBody(dialect.tools ? request : withoutTools(request, context.provider), { stream, maxTokensField: dialect.maxTokensField });

  const adapter: ProviderAdapter = {
    name: context.provider,

    generate(request, options) {
      return runCall(context, options.signal, async (call) => {
        const response = await postJson(context, call, dialect.url('chat/completions', request.model), dialect.headers, chatBody(request, false));
        return fromOpenAIChatResponse(await readJson(response, context));
      });
    },

    // Whether a model draws images is the catalog's `capabilities.images`; the dialect only carries the call.
    generateImages(request, options) {
      return runCall(context, options.signal, async (call) => {
        const response = await postJson(context, call, dialect.url('images/generations', request.model), dialect.headers, toOpenAIImagesBody(request));
        return fromOpenAIImagesResponse(await readJson(response, context), request.model);
      });
    },

    stream(request, options) {
      return streamCall(context, options.signal, async (call) => {
        const response = await postJson(context, call, dialect.url('chat/completions', request.model), dialect.headers, chatBody(request, true));
        return { body: response.body, decoder: openAIStreamDecoder() };
      });
    },
  };

  if (dialect.embeddings) {
    adapter.embed = (request, options) =>
      runCall(context, options.signal, async (call) => {
        const response = await postJson(context, call, dialect.url('embeddings', request.model), dialect.headers, toOpenAIEmbeddingsBody(request));
        return fromOpenAIEmbeddingsResponse(await readJson(response, context));
      });
  }
  if (dialect.completions) {
    adapter.complete = (request, options) =>
      runCall(context, options.signal, async (call) => {
        const response = await postJson(
          context,
          call,
          dialect.url('completions', request.model),
          dialect.headers,
          toOpenAICompletionBody(request, { stream: false }),
        );
        return fromOpenAICompletionResponse(await readJson(response, context));
      });
  }
  const modelsUrl = dialect.modelsUrl;
  if (modelsUrl) {
    adapter.listModels = (options) =>
      runCall(context, options.signal, async (call) => openAIModelList(await getJson(context, call, modelsUrl, dialect.headers), context));
  }
  return adapter;
}

/** For servers without tools: a request that needs them is refused, `toolChoice: 'none'` just drops them. */
function withoutTools(request: ChatRequest, provider: string): ChatRequest {
  if (!request.tools?.length) return request;
  if (request.toolChoice !== 'none') throw new GatewayError('unsupported_parameter', `${provider} does not support tools`, { param: 'tools' });
  const { tools: _tools, toolChoice: _toolChoice, parallelToolCalls: _parallel, ...rest } = request;
  return rest;
}
