// Anthropic Messages API: x-api-key, anthropic-version, SSE events. No embeddings or
// legacy completions.
import { fromAnthropicMessagesResponse, toAnthropicMessagesBody } from '@switchyard/formats';
import type { ProviderSettings } from '../provider-settings.ts';
import { baseUrlOf, createHttpContext } from '../http/http-context.ts';
import { postJson, readJson } from '../http/post-json.ts';
import { runCall, streamCall } from '../http/run-call.ts';
import { anthropicDefaults, anthropicOptionsSchema } from '../provider-defaults.ts';
import { parseOptions } from '../provider-options.ts';
import type { ProviderAdapter, ProviderDependencies } from '../types.ts';
import { anthropicStreamDecoder } from './stream-parts.ts';

export function createAnthropicProvider(config: ProviderSettings, dependencies?: ProviderDependencies): ProviderAdapter {
  const context = createHttpContext(config, dependencies);
  const url = `${baseUrlOf(config, anthropicDefaults.baseUrl)}/v1/messages`;
  const { defaultMaxTokens } = parseOptions(anthropicOptionsSchema, config.options);
  const headers = {
    ...config.headers,
    'anthropic-version': config.apiVersion ?? anthropicDefaults.apiVersion,
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
      return streamCall(context, options.signal, async (call) => {
        const response = await postJson(context, call, url, headers, toAnthropicMessagesBody(request, { stream: true, defaultMaxTokens }));
        return { body: response.body, decoder: anthropicStreamDecoder(context) };
      });
    },
  };
}
