import { createAnthropicProvider } from './anthropic/adapter.ts';
import { createAzureOpenAIProvider } from './azure-openai/adapter.ts';
import { createMockProvider } from './mock/adapter.ts';
import { createOllamaProvider } from './ollama/adapter.ts';
import { createOpenAICompatibleProvider } from './openai-compatible/adapter.ts';
import { ProviderOptionsError } from './provider-options.ts';
import type { ProviderSettings } from './provider-settings.ts';
import type { ProviderAdapter, ProviderDependencies } from './types.ts';

export function createProvider(settings: ProviderSettings, dependencies?: ProviderDependencies): ProviderAdapter {
  try {
    return createByKind(settings, dependencies);
  } catch (error) {
    if (error instanceof ProviderOptionsError) throw new Error(`provider ${settings.name}: options.${error.path.join('.')}: ${error.message}`);
    throw error;
  }
}

function createByKind(settings: ProviderSettings, dependencies?: ProviderDependencies): ProviderAdapter {
  switch (settings.kind) {
    case 'openai-compatible':
      return createOpenAICompatibleProvider(settings, dependencies);
    case 'anthropic':
      return createAnthropicProvider(settings, dependencies);
    case 'azure-openai':
      return createAzureOpenAIProvider(settings, dependencies);
    case 'ollama':
      return createOllamaProvider(settings, dependencies);
    case 'mock':
      return createMockProvider(settings);
  }
}
