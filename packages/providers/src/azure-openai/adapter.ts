import type { ProviderSettings } from '../provider-settings.ts';
import { baseUrlOf, createHttpContext } from '../http/http-context.ts';
import { createOpenAIDialectAdapter } from '../openai-compatible/dialect-adapter.ts';
import { azureOpenAIDefaults } from '../provider-defaults.ts';
import type { ProviderAdapter, ProviderDependencies } from '../types.ts';

/** Azure OpenAI: the model id is the deployment name; the key goes in `api-key`, not Bearer. */
export function createAzureOpenAIProvider(config: ProviderSettings, dependencies?: ProviderDependencies): ProviderAdapter {
  const baseUrl = baseUrlOf(config);
  const apiVersion = encodeURIComponent(config.apiVersion ?? azureOpenAIDefaults.apiVersion);
  return createOpenAIDialectAdapter(createHttpContext(config, dependencies), {
    url: (endpoint, model) => `${baseUrl}/openai/deployments/${encodeURIComponent(model)}/${endpoint}?api-version=${apiVersion}`,
    headers: { ...config.headers, ...(config.apiKey ? { 'api-key': config.apiKey } : {}) },
    tools: true,
    embeddings: true,
    completions: true,
    // The models the resource can deploy (Azure's `Models - List`); deployments are the catalog's ids.
    modelsUrl: `${baseUrl}/openai/models?api-version=${apiVersion}`,
  });
}
