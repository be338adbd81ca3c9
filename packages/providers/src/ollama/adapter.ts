// Ollama's native API (/api/chat, /api/embed). Ollama needs no key; one set is sent as Bearer
// for servers behind an authenticating proxy.
import { ProviderError, type ChatResponse } from '@switchyard/core';
import { z } from 'zod';
import type { ProviderSettings } from '../provider-settings.ts';
import { baseUrlOf, createHttpContext, type HttpContext } from '../http/http-context.ts';
import { getJson } from '../http/get-json.ts';
import { ollamaModelList } from '../http/model-list.ts';
import { postJson, readJson } from '../http/post-json.ts';
import { runCall, streamCall } from '../http/run-call.ts';
import { ollamaDefaults } from '../provider-defaults.ts';
import type { ProviderAdapter, ProviderDependencies } from '../types.ts';
import { toOllamaChatBody } from './request-body.ts';
import { chatLineSchema, finishReasonOf, toolCallsOf, usageOf } from './response.ts';
import { ollamaStreamDecoder } from './stream-parts.ts';

const embedResponseSchema = z.object({ model: z.string().nullish(), embeddings: z.array(z.array(z.number())), prompt_eval_count: z.number().nullish() });

export function createOllamaProvider(config: ProviderSettings, dependencies?: ProviderDependencies): ProviderAdapter {
  const context = createHttpContext(config, dependencies);
  const baseUrl = baseUrlOf(config, ollamaDefaults.baseUrl);
  const headers = { ...config.headers, ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}) };

  return {
    name: config.name,

    generate(request, options) {
      return runCall(context, options.signal, async (call) => {
        const response = await postJson(context, call, `${baseUrl}/api/chat`, headers, toOllamaChatBody(request, false));
        return toChatResponse(await readJson(response, context), request.model, context);
      });
    },

    stream(request, options) {
      return streamCall(context, options.signal, async (call) => {
        const response = await postJson(context, call, `${baseUrl}/api/chat`, headers, toOllamaChatBody(request, true));
        return { body: response.body, decoder: ollamaStreamDecoder(context) };
      });
    },

    embed(request, options) {
      return runCall(context, options.signal, async (call) => {
        const body = { model: request.model, input: request.input, ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }) };
        const response = await postJson(context, call, `${baseUrl}/api/embed`, headers, body);
        const parsed = embedResponseSchema.safeParse(await readJson(response, context));
        if (!parsed.success) throw unreadable(context);
        const { model, embeddings, prompt_eval_count: inputTokens } = parsed.data;
        return {
          model: model ?? request.model,
          embeddings,
          usage: inputTokens == null ? { inputTokens: 0, outputTokens: 0, estimated: true } : { inputTokens, outputTokens: 0 },
        };
      });
    },

    listModels(options) {
      return runCall(context, options.signal, async (call) => ollamaModelList(await getJson(context, call, `${baseUrl}/api/tags`, headers), context));
    },
  };
}

function toChatResponse(body: unknown, requestedModel: string, context: HttpContext): ChatResponse {
  const parsed = chatLineSchema.safeParse(body);
  if (!parsed.success || !parsed.data.message) throw unreadable(context);
  const line = parsed.data;
  const toolCalls = toolCallsOf(line);
  const text = line.message?.content ?? '';
  return {
    model: line.model ?? requestedModel,
    content: text ? [{ type: 'text', text }] : [],
    toolCalls,
    finishReason: finishReasonOf(line.done_reason, toolCalls.length > 0),
    usage: usageOf(line),
  };
}

function unreadable(context: HttpContext): ProviderError {
  return new ProviderError('upstream_error', `${context.provider} returned a response the gateway could not read`, {
    provider: context.provider,
    upstreamStatus: 200,
    retryable: false,
  });
}
