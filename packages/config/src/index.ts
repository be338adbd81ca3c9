export { configSchema, providerKinds, type ModelConfig, type ProviderConfig } from './schema.ts';
export {
  ConfigError,
  enabledProviders,
  envPrefixOf,
  loadConfig,
  resolveModel,
  routesFor,
  type EnabledProviderConfig,
  type LoadConfigOptions,
  type SwitchyardConfig,
} from './load-config.ts';
export { seedAliases, seedModels, seedProviders } from './seed-catalog.ts';
