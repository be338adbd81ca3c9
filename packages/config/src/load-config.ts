import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Route } from '@switchyard/core';
import { configSchema, type ModelConfig, type ParsedConfig, type ProviderConfig } from './schema.ts';
import { seedAliases, seedModels, seedProviders } from './seed-catalog.ts';

export type EnabledProviderConfig = ProviderConfig & { enabled: boolean; disabledReason?: string };

export type SwitchyardConfig = Omit<ParsedConfig, 'providers' | 'models'> & {
  providers: Record<string, EnabledProviderConfig>;
  models: Record<string, ModelConfig>;
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type PlainObject = Record<string, unknown>;
const isPlainObject = (value: unknown): value is PlainObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Objects merge key by key; anything else (arrays included) is replaced. */
function deepMerge(base: PlainObject, override: PlainObject): PlainObject {
  const merged: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

export const envPrefixOf = (providerName: string): string => providerName.toUpperCase().replace(/-/g, '_');

function integerFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new ConfigError(`${name}: must be a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

function envOverrides(env: NodeJS.ProcessEnv, providerNames: string[]): PlainObject {
  const providers: PlainObject = {};
  for (const name of providerNames) {
    const prefix = envPrefixOf(name);
    const override: PlainObject = {};
    if (env[`${prefix}_API_KEY`]) override.apiKey = env[`${prefix}_API_KEY`];
    if (env[`${prefix}_BASE_URL`]) override.baseUrl = env[`${prefix}_BASE_URL`];
    if (env[`${prefix}_API_VERSION`]) override.apiVersion = env[`${prefix}_API_VERSION`];
    if (Object.keys(override).length > 0) providers[name] = override;
  }
  return {
    server: { port: integerFromEnv(env, 'PORT'), metricsKey: env.SWITCHYARD_METRICS_KEY || undefined },
    redis: { url: env.REDIS_URL || undefined, prefix: env.SWITCHYARD_REDIS_PREFIX || undefined },
    database: { url: env.DATABASE_URL || undefined, dataDir: env.SWITCHYARD_DATA_DIR || undefined },
    adminKey: env.SWITCHYARD_ADMIN_KEY || undefined,
    providers,
  };
}

function readConfigFile(path: string): PlainObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`SWITCHYARD_CONFIG: cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`SWITCHYARD_CONFIG: ${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) throw new ConfigError(`SWITCHYARD_CONFIG: ${path} must hold a mapping at the top level`);
  return parsed;
}

export type LoadConfigOptions = {
  env?: NodeJS.ProcessEnv;
  /** A YAML file; defaults to SWITCHYARD_CONFIG. */
  file?: string;
  /** Applied last (tests and embedding code). */
  overrides?: PlainObject;
};

/** Seed catalog <- YAML file <- environment <- overrides, validated once into one typed object. */
export function loadConfig(options: LoadConfigOptions = {}): SwitchyardConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.SWITCHYARD_CONFIG;
  let raw: PlainObject = { providers: seedProviders, models: seedModels, aliases: seedAliases };
  if (file) raw = deepMerge(raw, readConfigFile(file));
  const providerNames = Object.keys(isPlainObject(raw.providers) ? raw.providers : {});
  raw = deepMerge(raw, envOverrides(env, providerNames));
  if (options.overrides) raw = deepMerge(raw, options.overrides);

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return finish(result.data);
}

function finish(parsed: ParsedConfig): SwitchyardConfig {
  const providers: Record<string, EnabledProviderConfig> = {};
  for (const [name, provider] of Object.entries(parsed.providers)) {
    let disabledReason: string | undefined;
    if (provider.requiresApiKey && !provider.apiKey) disabledReason = `no API key (set ${envPrefixOf(name)}_API_KEY)`;
    else if (provider.kind !== 'mock' && !provider.baseUrl) disabledReason = `no base URL (set ${envPrefixOf(name)}_BASE_URL)`;
    const enabled = provider.enabled ?? disabledReason === undefined;
    if (enabled && provider.kind !== 'mock' && !provider.baseUrl) {
      throw new ConfigError(`providers.${name}.baseUrl: required when the provider is enabled`);
    }
    providers[name] = { ...provider, name, enabled, ...(enabled ? {} : { disabledReason: disabledReason ?? 'disabled in config' }) };
  }
  const models: Record<string, ModelConfig> = {};
  for (const [id, model] of Object.entries(parsed.models)) {
    if (!providers[model.provider]) throw new ConfigError(`models.${id}.provider: unknown provider "${model.provider}"`);
    models[id] = { ...model, id };
  }
  for (const [id, model] of Object.entries(models)) {
    for (const fallback of model.fallbacks) {
      if (!models[fallback]) throw new ConfigError(`models.${id}.fallbacks: unknown model "${fallback}"`);
    }
  }
  for (const [alias, target] of Object.entries(parsed.aliases)) {
    if (!models[target]) throw new ConfigError(`aliases.${alias}: unknown model "${target}"`);
    if (models[alias]) throw new ConfigError(`aliases.${alias}: a model with that id exists already`);
  }
  return { ...parsed, providers, models };
}

/** The model a name refers to, aliases resolved. */
export function resolveModel(config: SwitchyardConfig, name: string): ModelConfig | undefined {
  return config.models[config.aliases[name] ?? name];
}

/** The model's fallback chain as routes, skipping models whose provider is disabled. */
export function routesFor(config: SwitchyardConfig, model: ModelConfig): Route[] {
  const routes: Route[] = [];
  for (const id of [model.id, ...model.fallbacks]) {
    const candidate = config.models[id];
    if (!candidate || !config.providers[candidate.provider]?.enabled) continue;
    if (routes.some((route) => route.model === id)) continue;
    routes.push({ provider: candidate.provider, model: id, upstreamModel: candidate.upstreamModel ?? id });
  }
  return routes;
}

export function enabledProviders(config: SwitchyardConfig): EnabledProviderConfig[] {
  return Object.values(config.providers).filter((provider) => provider.enabled);
}
