import type { ProviderSettings } from '../provider-settings.ts';
import { baseUrlOf, createHttpContext } from '../http/http-context.ts';
import type { ProviderAdapter, ProviderDependencies } from '../types.ts';
import { createOpenAIDialectAdapter } from './dialect-adapter.ts';
import { resolvePreset } from './presets.ts';

/** Any server speaking OpenAI's /chat/completions, tuned by its preset. */
export function createOpenAICompatibleProvider(config: ProviderSettings, dependencies?: ProviderDependencies): ProviderAdapter {
  const preset = resolvePreset(config.name, config.options);
  const baseUrl = baseUrlOf(config, preset.baseUrl);
  return createOpenAIDialectAdapter(createHttpContext(config, dependencies), {
    url: (endpoint) => `${baseUrl}/${endpoint}`,
    headers: { ...config.headers, ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}) },
    maxTokensField: preset.maxTokensField,
    tools: preset.tools ?? true,
    embeddings: preset.embeddings ?? true,
    completions: preset.completions ?? true,
    modelsUrl: `${baseUrl}/models`,
  });
}
