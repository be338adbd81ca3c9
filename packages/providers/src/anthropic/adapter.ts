// Anthropic Messages API: x-api-key, anthropic-version, SSE events. No embeddings or
// legacy completions.
import type { ProviderConfig } from '@switchyard/config';
import { fromAnthropicMessagesResponse, toAnthropicMessagesBody } from '@switchyard/formats';
import { z } from 'zod';
import { baseUrlOf, createHttpContext } from '../http/http-context.ts';
import { postJson, readJson } from '../http/post-json.ts';
import { runCall, streamCall } from '../http/run-call.ts';
import type { ProviderAdapter, ProviderDependencies } from '../types.ts';
import { anthropicStreamParts } from './stream-parts.ts';

const defaultBaseUrl = 'https://api.anthropic.com';
const defaultApiVersion = '2023-06-01';

const optionsSchema = z.object({ defaultMaxTokens: z.number().int().positive().default(4096) });

export function createAnthropicProvider(config: ProviderConfig, dependencies?: ProviderDependencies): ProviderAdapter {
  const context = createHttpContext(config, dependencies);
  const url = `${baseUrlOf(config, defaultBaseUrl)}/v1/messages`;
  const { defaultMaxTokens } = optionsSchema.parse(config.options);
  const headers = {
    ...config.headers,
    'anthropic-version': config.apiVersion ?? defaultApiVersion,
    ...(config.apiKey ? { 'x-api-key': config.apiKey } : {}),
  };

  return {
    name: config.name,

    generate(request, options) {
      return runCall(context, options.signal, async (call) => {
        const response = await postJson(context, call, url, headers, toAnthropicMessagesBody(request, { stream: false, defaultMaxTokens }));
        return fromAnthropicMessagesResponse(await readJson(response, context));
      });
    },

    stream(request, options) {
      return streamCall(context, options.signal, async function* (call) {
        const response = await postJson(context, call, url, headers, toAnthropicMessagesBody(request, { stream: true, defaultMaxTokens }));
        yield* anthropicStreamParts(response, call, context);
      });
    },
  };
}
