import type { ProviderConfig } from '@switchyard/config';
import { createAnthropicProvider } from './anthropic/adapter.ts';
import { createAzureOpenAIProvider } from './azure-openai/adapter.ts';
import { createMockProvider } from './mock/adapter.ts';
import { createOllamaProvider } from './ollama/adapter.ts';
import { createOpenAICompatibleProvider } from './openai-compatible/adapter.ts';
import type { ProviderAdapter, ProviderDependencies } from './types.ts';

export function createProvider(config: ProviderConfig, dependencies?: ProviderDependencies): ProviderAdapter {
  switch (config.kind) {
    case 'openai-compatible':
      return createOpenAICompatibleProvider(config, dependencies);
    case 'anthropic':
      return createAnthropicProvider(config, dependencies);
    case 'azure-openai':
      return createAzureOpenAIProvider(config, dependencies);
    case 'ollama':
      return createOllamaProvider(config, dependencies);
    case 'mock':
      return createMockProvider(config);
  }
}
