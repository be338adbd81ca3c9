import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveConfigPath } from './config-path.ts';
import { ConfigError, loadConfig, resolveModel, routesFor } from './load-config.ts';

function yamlFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-config-')), 'switchyard.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('enables only the mock provider when no key is set', () => {
    const config = loadConfig({ env: {} });
    const enabled = Object.values(config.providers)
      .filter((provider) => provider.enabled)
      .map((provider) => provider.name);
    expect(enabled).toEqual(['mock']);
    expect(config.providers.openai!.disabledReason).toBe('no API key (set OPENAI_API_KEY)');
  });

  it('leaves condensation off unless a model turns it on, and refuses an unknown summary model', () => {
    const config = loadConfig({
      env: {},
      overrides: { models: { 'mock-long': { provider: 'mock', condensation: { strategy: 'summarize', summaryModel: 'mock-long' } } } },
    });
    expect(config.models['mock-long']!.condensation).toEqual({ strategy: 'summarize', summaryModel: 'mock-long', summaryMaxTokens: 512 });
    expect(Object.values(config.models).filter((model) => model.condensation && model.id !== 'mock-long')).toEqual([]);
    expect(() =>
      loadConfig({ env: {}, overrides: { models: { 'mock-long': { provider: 'mock', condensation: { strategy: 'summarize', summaryModel: 'nope' } } } } }),
    ).toThrow(/models\.mock-long\.condensation\.summaryModel: unknown model "nope"/);
  });

  it('takes provider keys and base URLs from the environment', () => {
    const config = loadConfig({
      env: {
        ANTHROPIC_API_KEY: 'sk-ant',
        AZURE_OPENAI_API_KEY: 'az',
        AZURE_OPENAI_BASE_URL: 'https://example.openai.azure.com',
        OLLAMA_BASE_URL: 'http://127.0.0.1:11434',
      },
    });
    expect(config.providers.anthropic).toMatchObject({ enabled: true, apiKey: 'sk-ant' });
    expect(config.providers['azure-openai']).toMatchObject({ enabled: true, baseUrl: 'https://example.openai.azure.com' });
    expect(config.providers.ollama!.enabled).toBe(true);
  });

  it('reads the webhook retry schedule, allow list and encryption key from the environment', () => {
    expect(loadConfig({ env: {} }).webhooks).toMatchObject({ retryScheduleSeconds: [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400], allow: [] });
    const config = loadConfig({
      env: { SWITCHYARD_WEBHOOK_RETRY_SCHEDULE: '1, 1,2.5', SWITCHYARD_WEBHOOK_ALLOW: '127.0.0.1:9000,10.1.0.0/16', SWITCHYARD_ENCRYPTION_KEY: 'k'.repeat(32) },
    });
    expect(config.webhooks).toMatchObject({ retryScheduleSeconds: [1, 1, 2.5], allow: ['127.0.0.1:9000', '10.1.0.0/16'] });
    expect(config.encryptionKey).toBe('k'.repeat(32));
    expect(() => loadConfig({ env: { SWITCHYARD_WEBHOOK_RETRY_SCHEDULE: '1,soon' } })).toThrow(/SWITCHYARD_WEBHOOK_RETRY_SCHEDULE.*"soon"/);
  });

  it('takes Redis Cluster seed nodes from REDIS_CLUSTER_NODES or the file, and refuses what is not host:port', () => {
    expect(loadConfig({ env: {} }).redis.clusterNodes).toBeUndefined();
    expect(loadConfig({ env: { REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-2.internal:7001' } }).redis.clusterNodes).toEqual([
      '10.0.0.1:7000',
      'redis-2.internal:7001',
    ]);
    expect(loadConfig({ env: {}, overrides: { redis: { clusterNodes: ['127.0.0.1:7000'] } } }).redis.clusterNodes).toEqual(['127.0.0.1:7000']);
    expect(() => loadConfig({ env: { REDIS_CLUSTER_NODES: 'redis://user:secret@host:7000' } })).toThrow(/redis\.clusterNodes\.0: host:port expected/);
    expect(() => loadConfig({ env: {}, overrides: { redis: { clusterNodes: [] } } })).toThrow(/redis\.clusterNodes/);
  });

  it('limits uploaded files to 200 MiB and batch files to 50 000 lines unless configured', () => {
    expect(loadConfig({ env: {} }).files).toEqual({ maxBytes: 200 * 1024 * 1024, maxLines: 50_000 });
    expect(loadConfig({ env: {}, overrides: { files: { maxBytes: 1024 } } }).files).toEqual({ maxBytes: 1024, maxLines: 50_000 });
    expect(() => loadConfig({ env: {}, overrides: { files: { maxBytes: 0 } } })).toThrow(/files\.maxBytes/);
    expect(() => loadConfig({ env: {}, overrides: { files: { maxByte: 1024 } } })).toThrow(/maxByte/);
  });

  it('drains an api for 30 s on SIGTERM unless the file or SWITCHYARD_DRAIN_TIMEOUT_MS says otherwise', () => {
    expect(loadConfig({ env: {} }).server.drainTimeoutMs).toBe(30_000);
    expect(loadConfig({ env: { SWITCHYARD_DRAIN_TIMEOUT_MS: '5000' } }).server.drainTimeoutMs).toBe(5000);
    expect(loadConfig({ env: {}, file: yamlFile('server:\n  drainTimeoutMs: 1500\n') }).server.drainTimeoutMs).toBe(1500);
    expect(() => loadConfig({ env: { SWITCHYARD_DRAIN_TIMEOUT_MS: 'soon' } })).toThrow(/SWITCHYARD_DRAIN_TIMEOUT_MS: must be a non-negative integer/);
  });

  it('names the key of a bad value', () => {
    expect(() => loadConfig({ env: { PORT: 'eighty' } })).toThrow(/PORT: must be a non-negative integer/);
    expect(() => loadConfig({ env: {}, overrides: { providers: { openai: { concurrency: -1 } } } })).toThrow(/providers\.openai\.concurrency/);
    expect(() => loadConfig({ env: {}, overrides: { models: { 'my-model': { provider: 'nowhere' } } } })).toThrow(
      /models\.my-model\.provider: unknown provider "nowhere"/,
    );
    expect(() => loadConfig({ env: {}, overrides: { models: { 'gpt-4o': { pricing: { input: 'cheap', output: '1' } } } } })).toThrow(ConfigError);
  });

  it('merges a YAML file over the seed catalog', () => {
    const file = yamlFile(`
providers:
  groq:
    kind: openai-compatible
    baseUrl: https://api.groq.com/openai/v1
    apiKey: gsk-test
models:
  llama-3.3-70b:
    provider: groq
    upstreamModel: llama-3.3-70b-versatile
    pricing: { input: "0.59", output: "0.79" }
aliases:
  team-default: llama-3.3-70b
`);
    const config = loadConfig({ env: {}, file });
    expect(resolveModel(config, 'team-default')?.id).toBe('llama-3.3-70b');
    expect(routesFor(config, resolveModel(config, 'team-default')!)).toEqual([
      { provider: 'groq', model: 'llama-3.3-70b', upstreamModel: 'llama-3.3-70b-versatile' },
    ]);
    expect(config.models['gpt-4o']!.pricing.input).toBe('2.50');
  });

  it('reports a missing or malformed file clearly', () => {
    expect(() => loadConfig({ env: {}, file: '/nonexistent/switchyard.yaml' })).toThrow(/SWITCHYARD_CONFIG: cannot read/);
    expect(() => loadConfig({ env: {}, file: yamlFile('providers: [1, 2') })).toThrow(/not valid YAML/);
  });

  it('builds fallback chains from enabled providers only', () => {
    const anthropicOnly = loadConfig({ env: { ANTHROPIC_API_KEY: 'k' } });
    expect(routesFor(anthropicOnly, resolveModel(anthropicOnly, 'claude-haiku')!).map((route) => route.model)).toEqual([
      'claude-haiku-4-5',
      'claude-3-5-haiku',
      'claude-3-haiku',
    ]);
    const both = loadConfig({ env: { ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'o' } });
    expect(routesFor(both, resolveModel(both, 'claude-opus-4-1')!).map((route) => route.model)).toEqual([
      'claude-opus-4-1',
      'claude-opus-4',
      'claude-3-opus',
      'gpt-4o',
    ]);
  });
});

describe('provider defaults from kinds and presets', () => {
  it('enables a provider that names a self-hosted preset and no base URL, at the preset URL', () => {
    const file = yamlFile(`
providers:
  local:
    kind: openai-compatible
    options: { preset: vllm }
`);
    const config = loadConfig({ env: {}, file });
    expect(config.providers.local).toMatchObject({ enabled: true, baseUrl: 'http://localhost:8000/v1', requiresApiKey: false });
    expect(loadConfig({ env: { LOCAL_BASE_URL: 'http://gpu-box:8000/v1' }, file }).providers.local!.baseUrl).toBe('http://gpu-box:8000/v1');
  });

  it("gives hosted providers their preset URL and keeps the seed's self-hosted ones off until their URL is set", () => {
    const config = loadConfig({ env: { OPENAI_API_KEY: 'o', XAI_API_KEY: 'x', ANTHROPIC_API_KEY: 'a' } });
    expect(config.providers.openai).toMatchObject({ enabled: true, baseUrl: 'https://api.openai.com/v1' });
    expect(config.providers.xai!.baseUrl).toBe('https://api.x.ai/v1');
    expect(config.providers.anthropic).toMatchObject({ baseUrl: 'https://api.anthropic.com', apiVersion: '2023-06-01' });
    expect(config.providers.vllm).toMatchObject({ enabled: false, disabledReason: 'no base URL (set VLLM_BASE_URL)' });
    expect(config.providers.ollama).toMatchObject({ enabled: false, disabledReason: 'no base URL (set OLLAMA_BASE_URL)' });
    expect(loadConfig({ env: { VLLM_BASE_URL: 'http://127.0.0.1:9000/v1' } }).providers.vllm).toMatchObject({
      enabled: true,
      baseUrl: 'http://127.0.0.1:9000/v1',
    });
  });

  it('refuses an unknown preset or provider option at load', () => {
    const withOptions = (options: Record<string, unknown>) => () =>
      loadConfig({ env: {}, overrides: { providers: { local: { kind: 'openai-compatible', options } } } });
    expect(withOptions({ preset: 'vlm' })).toThrow(/providers\.local\.options\.preset: unknown preset "vlm"/);
    expect(withOptions({ preset: 'vllm', tool: false })).toThrow(/providers\.local\.options\.tool: unknown option/);
    expect(() => loadConfig({ env: {}, overrides: { providers: { mock: { options: { latency: 5 } } } } })).toThrow(
      /providers\.mock\.options\.latency: unknown option/,
    );
  });
});

describe('idempotency settings', () => {
  it('keep answers 24 h and up to 1 MiB by default, take other values, and refuse bad ones', () => {
    expect(loadConfig({ env: {} }).idempotency).toEqual({ ttlSeconds: 86_400, maxStoredBytes: 1_048_576 });
    expect(loadConfig({ env: {}, file: yamlFile('idempotency:\n  ttlSeconds: 60\n') }).idempotency).toEqual({ ttlSeconds: 60, maxStoredBytes: 1_048_576 });
    expect(() => loadConfig({ env: {}, overrides: { idempotency: { ttlSeconds: 0 } } })).toThrow(/idempotency\.ttlSeconds/);
    expect(() => loadConfig({ env: {}, overrides: { idempotency: { ttlSecond: 60 } } })).toThrow(
      /idempotency\.ttlSecond: unknown key \(did you mean idempotency\.ttlSeconds\?\)/,
    );
  });
});

describe('unknown keys', () => {
  it('stops start-up naming the key and the nearest known one', () => {
    expect(() => loadConfig({ env: {}, file: yamlFile('worker:\n  lockDurationMS: 1000\n') })).toThrow(
      /worker\.lockDurationMS: unknown key \(did you mean worker\.lockDurationMs\?\)/,
    );
    expect(() => loadConfig({ env: {}, file: yamlFile('provider:\n  openai: { apiKey: k }\n') })).toThrow(
      /\bprovider: unknown key \(did you mean providers\?\)/,
    );
    expect(() => loadConfig({ env: {}, overrides: { providers: { openai: { breaker: { treshold: 3 } } } } })).toThrow(
      /providers\.openai\.breaker\.treshold: unknown key/,
    );
    expect(() => loadConfig({ env: {}, overrides: { models: { 'gpt-4o': { capabilities: { embedding: true } } } } })).toThrow(
      /models\.gpt-4o\.capabilities\.embedding: unknown key \(did you mean models\.gpt-4o\.capabilities\.embeddings\?\)/,
    );
  });

  it('still takes free-form model options', () => {
    expect(loadConfig({ env: {}, overrides: { models: { 'mock-fast': { options: { anything: 1 } } } } }).models['mock-fast']!.options).toEqual({ anything: 1 });
  });
});

describe('a relative SWITCHYARD_CONFIG', () => {
  it("is read from the caller's directory, not the repository root", () => {
    const file = yamlFile('aliases:\n  team-default: gpt-4o\n');
    const config = loadConfig({ env: { SWITCHYARD_CONFIG: 'switchyard.yaml', SWITCHYARD_CALLER_DIR: dirname(file) } });
    expect(config.aliases['team-default']).toBe('gpt-4o');
  });

  it('is where scripts/switchyard was called from: its environment exports SWITCHYARD_CALLER_DIR', () => {
    const script = fileURLToPath(new URL('../../../scripts/lib/environment.sh', import.meta.url));
    const caller = realpathSync(mkdtempSync(join(tmpdir(), 'switchyard-caller-')));
    const exported = execFileSync('bash', ['-c', 'source "$0" && bash -c \'printf %s "$SWITCHYARD_CALLER_DIR"\'', script], {
      cwd: caller,
      env: { PATH: process.env.PATH },
    });
    expect(exported.toString()).toBe(caller);
  });

  it('resolves against SWITCHYARD_CALLER_DIR, else the working directory; absolute paths stay', () => {
    expect(resolveConfigPath('conf/s.yaml', { SWITCHYARD_CALLER_DIR: '/home/me/project' }, '/repo')).toBe('/home/me/project/conf/s.yaml');
    expect(resolveConfigPath('conf/s.yaml', {}, '/repo')).toBe('/repo/conf/s.yaml');
    expect(resolveConfigPath('/etc/switchyard.yaml', { SWITCHYARD_CALLER_DIR: '/home/me' }, '/repo')).toBe('/etc/switchyard.yaml');
  });
});

describe('seed catalog', () => {
  const config = loadConfig({ env: {} });

  it('points the family names at current models', () => {
    expect(['claude', 'smart', 'claude-sonnet', 'claude-opus', 'powerful', 'claude-haiku', 'fast'].map((alias) => resolveModel(config, alias)!.id)).toEqual([
      'claude-sonnet-5-5',
      'claude-sonnet-5-5',
      'claude-sonnet-5-5',
      'claude-opus-5-5',
      'claude-opus-5-5',
      'claude-haiku-4-5',
      'claude-haiku-4-5',
    ]);
  });

  it('answers to the dated ids and provider aliases of its models', () => {
    expect(resolveModel(config, 'claude-sonnet-4-5-20250929')!.id).toBe('claude-sonnet-4-5');
    expect(resolveModel(config, 'claude-3-5-sonnet-latest')!.id).toBe('claude-3-5-sonnet');
    expect(resolveModel(config, 'meta-llama/Llama-3.1-8B-Instruct')!.id).toBe('llama-3.1-8b-instruct');
  });

  it('lets only the embedding models serve embeddings', () => {
    const embedders = Object.values(config.models)
      .filter((model) => model.capabilities.embeddings)
      .map((model) => model.id);
    expect(embedders.sort()).toEqual(['mock-embed', 'text-embedding-3-large', 'text-embedding-3-small']);
    expect(config.models['mock-embed']!.capabilities).toMatchObject({ chat: false, streaming: false, embeddings: true });
  });
});
