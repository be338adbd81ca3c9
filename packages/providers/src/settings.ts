// The light entry for the config package: provider settings and defaults, without the
// adapters (and their HTTP client) that `index.ts` brings.
export { providerKinds, type ProviderKind, type ProviderSettings } from './provider-settings.ts';
export { providerDefaults, type ProviderDefaults } from './provider-defaults.ts';
export { ProviderOptionsError } from './provider-options.ts';
export { openAIPresets, type OpenAIPreset } from './openai-compatible/presets.ts';
