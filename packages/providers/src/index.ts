export { createProvider } from './registry.ts';
export { providerKinds, type ProviderKind, type ProviderSettings } from './provider-settings.ts';
export { providerDefaults, type ProviderDefaults } from './provider-defaults.ts';
export { ProviderOptionsError } from './provider-options.ts';
export type { CallOptions, ProviderAdapter, ProviderDependencies, UpstreamModel } from './types.ts';
export { providerErrorForStatus } from './errors/status-error.ts';
export { openAIPresets, type OpenAIPreset } from './openai-compatible/presets.ts';
export { parseRetryAfter } from './errors/retry-after.ts';
