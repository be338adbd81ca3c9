// What a provider gets for the fields its config leaves out, per kind and, for the OpenAI
// dialect, per preset. The config loader applies these and the adapters fall back on them,
// so each address and version is written down once.
import { z } from 'zod';
import { resolvePreset } from './openai-compatible/presets.ts';
import { parseOptions } from './provider-options.ts';
import type { ProviderSettings } from './provider-settings.ts';

export const anthropicDefaults = { baseUrl: 'https://api.anthropic.com', apiVersion: '2023-06-01' } as const;
export const azureOpenAIDefaults = { apiVersion: '2024-10-21' } as const;
export const ollamaDefaults = { baseUrl: 'http://localhost:11434' } as const;

export type ProviderDefaults = {
  baseUrl?: string;
  apiVersion?: string;
  /** Self-hosted servers and the mock take no key. */
  requiresApiKey: boolean;
  /** `baseUrl` is where such a server usually listens on this machine: a guess, not a known address. */
  localBaseUrl: boolean;
};

export const anthropicOptionsSchema = z.strictObject({ defaultMaxTokens: z.number().int().positive().default(4096) });
export const mockOptionsSchema = z.strictObject({ latencyMs: z.number().nonnegative().optional(), tokenDelayMs: z.number().nonnegative().optional() });
const noOptionsSchema = z.strictObject({});

export function providerDefaults(settings: Pick<ProviderSettings, 'name' | 'kind' | 'options'>): ProviderDefaults {
  switch (settings.kind) {
    case 'openai-compatible': {
      const preset = resolvePreset(settings.name, settings.options);
      return { baseUrl: preset.baseUrl, requiresApiKey: !preset.selfHosted, localBaseUrl: preset.selfHosted ?? false };
    }
    case 'anthropic':
      parseOptions(anthropicOptionsSchema, settings.options);
      return { ...anthropicDefaults, requiresApiKey: true, localBaseUrl: false };
    case 'azure-openai':
      parseOptions(noOptionsSchema, settings.options);
      return { ...azureOpenAIDefaults, requiresApiKey: true, localBaseUrl: false };
    case 'ollama':
      parseOptions(noOptionsSchema, settings.options);
      return { ...ollamaDefaults, requiresApiKey: false, localBaseUrl: true };
    case 'mock':
      parseOptions(mockOptionsSchema, settings.options);
      return { requiresApiKey: false, localBaseUrl: false };
  }
}
