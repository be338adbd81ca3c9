export { chaosSchema, configSchema, providerKinds, type ChaosRule, type ChaosSettings, type ModelConfig } from './schema.ts';
export {
  ConfigError,
  enabledProviders,
  envPrefixOf,
  loadConfig,
  resolveModel,
  routesFor,
  type EnabledProviderConfig,
  type LoadConfigOptions,
  type ProviderConfig,
  type SwitchyardConfig,
} from './load-config.ts';
export { resolveConfigPath } from './config-path.ts';
export { modelNotFoundMessage, suggestModels } from './model-not-found.ts';
export { editDistance, suggestNames, type NameCandidate } from './suggest-names.ts';
export { seedAliases, seedModels, seedProviders } from './seed-catalog.ts';
export { checkStreaming, resolveRoutes } from './resolve-routes.ts';
export { asLiveConfig, configVersion, createLiveConfig, restartOnlySettings, type ConfigState, type LiveConfig, type ReloadResult } from './live-config.ts';
