import type { ProviderConfig } from '@switchyard/config';
import { baseUrlOf, createHttpContext } from '../http/http-context.ts';
import { createOpenAIDialectAdapter } from '../openai-compatible/dialect-adapter.ts';
import type { ProviderAdapter, ProviderDependencies } from '../types.ts';

const defaultApiVersion = '2024-10-21';

/** Azure OpenAI: the model id is the deployment name; the key goes in `api-key`, not Bearer. */
export function createAzureOpenAIProvider(config: ProviderConfig, dependencies?: ProviderDependencies): ProviderAdapter {
  const baseUrl = baseUrlOf(config);
  const apiVersion = encodeURIComponent(config.apiVersion ?? defaultApiVersion);
  return createOpenAIDialectAdapter(createHttpContext(config, dependencies), {
    url: (endpoint, model) => `${baseUrl}/openai/deployments/${encodeURIComponent(model)}/${endpoint}?api-version=${apiVersion}`,
    headers: { ...config.headers, ...(config.apiKey ? { 'api-key': config.apiKey } : {}) },
    tools: true,
    embeddings: true,
    completions: true,
  });
}
