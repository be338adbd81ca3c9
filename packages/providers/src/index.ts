export { createProvider } from './registry.ts';
export type { CallOptions, ProviderAdapter, ProviderDependencies } from './types.ts';
export { openAIPresets, type OpenAIPreset } from './openai-compatible/presets.ts';
export { parseRetryAfter } from './errors/retry-after.ts';
