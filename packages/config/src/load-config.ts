import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Route } from '@switchyard/core';
import { providerDefaults, ProviderOptionsError, type ProviderSettings } from '@switchyard/providers/settings';
import { ConfigError } from './config-error.ts';
import { resolveConfigPath } from './config-path.ts';
import { orderDeployments, type DeploymentOrderInputs } from './order-deployments.ts';
import { withDeployments } from './model-deployments.ts';
import { configSchema, type ModelConfig, type ParsedConfig, type ParsedProviderConfig } from './schema.ts';
import { referenceProblems } from './reference-problems.ts';
import { knownKeysAt } from './schema-keys.ts';
import { seedAliases, seedModels, seedProviders } from './seed-catalog.ts';
import { suggestNames } from './suggest-names.ts';

export { ConfigError };

/** A provider with its kind's defaults applied; what `createProvider` takes, and more. */
export type ProviderConfig = ParsedProviderConfig & ProviderSettings & { name: string; requiresApiKey: boolean };

export type EnabledProviderConfig = ProviderConfig & { enabled: boolean; disabledReason?: string };

export type SwitchyardConfig = Omit<ParsedConfig, 'providers' | 'models'> & {
  providers: Record<string, EnabledProviderConfig>;
  models: Record<string, ModelConfig>;
};

type PlainObject = Record<string, unknown>;
const isPlainObject = (value: unknown): value is PlainObject => typeof value === 'object' && value !== null && !Array.isArray(value);

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
    server: {
      port: integerFromEnv(env, 'PORT'),
      metricsKey: env.SWITCHYARD_METRICS_KEY || undefined,
      metricsPort: integerFromEnv(env, 'METRICS_PORT'),
      drainTimeoutMs: integerFromEnv(env, 'SWITCHYARD_DRAIN_TIMEOUT_MS'),
    },
    redis: { url: env.REDIS_URL || undefined, prefix: env.SWITCHYARD_REDIS_PREFIX || undefined, clusterNodes: listFromEnv(env, 'REDIS_CLUSTER_NODES') },
    database: { url: env.DATABASE_URL || undefined, dataDir: env.SWITCHYARD_DATA_DIR || undefined },
    adminKey: env.SWITCHYARD_ADMIN_KEY || undefined,
    encryptionKey: env.SWITCHYARD_ENCRYPTION_KEY || undefined,
    webhooks: { retryScheduleSeconds: secondsListFromEnv(env, 'SWITCHYARD_WEBHOOK_RETRY_SCHEDULE'), allow: listFromEnv(env, 'SWITCHYARD_WEBHOOK_ALLOW') },
    providers,
  };
}

/** `1,1,2` -> [1, 1, 2]; absent or empty -> undefined (the file or the default decides). */
function secondsListFromEnv(env: NodeJS.ProcessEnv, name: string): number[] | undefined {
  const entries = listFromEnv(env, name);
  if (!entries) return undefined;
  const bad = entries.find((entry) => !/^\d+(\.\d+)?$/.test(entry));
  if (bad !== undefined) throw new ConfigError(`${name}: comma-separated seconds expected (e.g. 1,1,2), got ${JSON.stringify(bad)}`);
  return entries.map(Number);
}

function listFromEnv(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const text = env[name]?.trim();
  return text
    ? text
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
    : undefined;
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

const providerNamesIn = (layer: PlainObject): string[] => (isPlainObject(layer.providers) ? Object.keys(layer.providers) : []);

/** Seed catalog <- YAML file <- environment <- overrides, validated once into one typed object. */
export function loadConfig(options: LoadConfigOptions = {}): SwitchyardConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.SWITCHYARD_CONFIG;
  let raw: PlainObject = { providers: seedProviders, models: seedModels, aliases: seedAliases };
  // Providers the operator wrote down (file or overrides), as opposed to the seed's examples.
  const declared = new Set<string>(providerNamesIn(options.overrides ?? {}));
  if (file) {
    const layer = readConfigFile(resolveConfigPath(file, env));
    for (const name of providerNamesIn(layer)) declared.add(name);
    raw = deepMerge(raw, layer);
  }
  raw = deepMerge(raw, envOverrides(env, providerNamesIn(raw)));
  if (options.overrides) raw = deepMerge(raw, options.overrides);

  const result = configSchema.safeParse(raw);
  if (!result.success) throw invalidConfiguration([...result.error.issues.flatMap(describeIssue), ...referenceProblems(raw)]);
  return finish(result.data, declared);
}

const invalidConfiguration = (lines: string[]): ConfigError => new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);

/** One line per problem; an unknown key is named in full, with the nearest known key. */
function describeIssue(issue: { code: string; path: PropertyKey[]; message: string; keys?: string[] }): string[] {
  const where = issue.path.map(String);
  if (issue.code !== 'unrecognized_keys' || !issue.keys) return [`${where.join('.') || '(root)'}: ${issue.message}`];
  const known = knownKeysAt(configSchema, issue.path);
  return issue.keys.map((key) => {
    const [closest] = suggestNames(key, known, 1);
    return `${[...where, key].join('.')}: unknown key${closest ? ` (did you mean ${[...where, closest].join('.')}?)` : ''}`;
  });
}

/** The kind's (or preset's) base URL, API version and key requirement, where the config says nothing. */
function withDefaults(name: string, provider: ParsedProviderConfig, declared: boolean): ProviderConfig {
  let defaults: ReturnType<typeof providerDefaults>;
  try {
    defaults = providerDefaults({ name, kind: provider.kind, options: provider.options });
  } catch (error) {
    if (error instanceof ProviderOptionsError) throw new ConfigError(`providers.${name}.options.${error.path.join('.')}: ${error.message}`);
    throw error;
  }
  // A self-hosted server's usual local address is only assumed for a provider the operator
  // declared; the seed's vllm, llamacpp and ollama entries wait for their <NAME>_BASE_URL.
  const defaultBaseUrl = defaults.localBaseUrl && !declared ? undefined : defaults.baseUrl;
  const baseUrl = provider.baseUrl ?? defaultBaseUrl;
  const apiVersion = provider.apiVersion ?? defaults.apiVersion;
  const { customHeaders, ...rest } = provider;
  return {
    ...rest,
    headers: { ...provider.headers, ...customHeaders },
    name,
    requiresApiKey: provider.requiresApiKey ?? defaults.requiresApiKey,
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(apiVersion === undefined ? {} : { apiVersion }),
  };
}

function finish(parsed: ParsedConfig, declared: ReadonlySet<string>): SwitchyardConfig {
  const providers: Record<string, EnabledProviderConfig> = {};
  for (const [name, parsedProvider] of Object.entries(parsed.providers)) {
    const provider = withDefaults(name, parsedProvider, declared.has(name));
    let disabledReason: string | undefined;
    if (provider.requiresApiKey && !provider.apiKey) disabledReason = `no API key (set ${envPrefixOf(name)}_API_KEY)`;
    else if (provider.kind !== 'mock' && !provider.baseUrl) disabledReason = `no base URL (set ${envPrefixOf(name)}_BASE_URL)`;
    const enabled = provider.enabled ?? disabledReason === undefined;
    if (enabled && provider.kind !== 'mock' && !provider.baseUrl) {
      throw new ConfigError(`providers.${name}.baseUrl: required when the provider is enabled`);
    }
    providers[name] = { ...provider, name, enabled, ...(enabled ? {} : { disabledReason: disabledReason ?? 'disabled in config' }) };
  }
  const broken = referenceProblems(parsed);
  if (broken.length === 1) throw new ConfigError(broken[0]!);
  if (broken.length > 1) throw invalidConfiguration(broken);
  const models: Record<string, ModelConfig> = {};
  for (const [id, model] of Object.entries(parsed.models)) models[id] = withDeployments(id, model);
  return { ...parsed, providers, models };
}

/** The model a name refers to, aliases resolved. */
export function resolveModel(config: SwitchyardConfig, name: string): ModelConfig | undefined {
  return config.models[config.aliases[name] ?? name];
}

/**
 * The model's chain as routes: its deployments (only the `forced` one when pinned), then
 * each fallback model's, skipping deployments whose provider is disabled. Without `order` the deployments stay in config
 * order (every deployment the catalog has, for breakers and metrics); a request passes
 * `order` so each model's deployments are ordered by its strategy.
 */
export function routesFor(config: SwitchyardConfig, model: ModelConfig, order?: DeploymentOrderInputs): Route[] {
  const routes: Route[] = [];
  const visited = new Set<string>();
  for (const id of [model.id, ...model.fallbacks]) {
    const candidate = config.models[id];
    if (!candidate || visited.has(id)) continue;
    visited.add(id);
    const pinned = candidate.forced === undefined ? candidate.deployments : [candidate.deployments[candidate.forced]!];
    const enabled = pinned.filter((deployment) => config.providers[deployment.provider]?.enabled);
    const ordered = order ? orderDeployments(enabled, candidate.strategy, order) : enabled;
    for (const deployment of ordered) routes.push({ provider: deployment.provider, model: id, upstreamModel: deployment.upstreamModel });
  }
  return routes;
}

export function enabledProviders(config: SwitchyardConfig): EnabledProviderConfig[] {
  return Object.values(config.providers).filter((provider) => provider.enabled);
}
