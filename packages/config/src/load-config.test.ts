import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveModel, routesFor } from './load-config.ts';

function yamlFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'switchyard-config-')), 'switchyard.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('enables only the mock provider when no key is set', () => {
    const config = loadConfig({ env: {} });
    const enabled = Object.values(config.providers).filter((provider) => provider.enabled).map((provider) => provider.name);
    expect(enabled).toEqual(['mock']);
    expect(config.providers.openai!.disabledReason).toBe('no API key (set OPENAI_API_KEY)');
  });

  it('takes provider keys and base URLs from the environment', () => {
    const config = loadConfig({ env: { ANTHROPIC_API_KEY: 'sk-ant', AZURE_OPENAI_API_KEY: 'az', AZURE_OPENAI_BASE_URL: 'https://example.openai.azure.com', OLLAMA_BASE_URL: 'http://127.0.0.1:11434' } });
    expect(config.providers.anthropic).toMatchObject({ enabled: true, apiKey: 'sk-ant' });
    expect(config.providers['azure-openai']).toMatchObject({ enabled: true, baseUrl: 'https://example.openai.azure.com' });
    expect(config.providers.ollama!.enabled).toBe(true);
  });

  it('names the key of a bad value', () => {
    expect(() => loadConfig({ env: { PORT: 'eighty' } })).toThrow(/PORT: must be a non-negative integer/);
    expect(() => loadConfig({ env: {}, overrides: { providers: { openai: { concurrency: -1 } } } })).toThrow(/providers\.openai\.concurrency/);
    expect(() => loadConfig({ env: {}, overrides: { models: { 'my-model': { provider: 'nowhere' } } } })).toThrow(/models\.my-model\.provider: unknown provider "nowhere"/);
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
    expect(routesFor(config, resolveModel(config, 'team-default')!)).toEqual([{ provider: 'groq', model: 'llama-3.3-70b', upstreamModel: 'llama-3.3-70b-versatile' }]);
    expect(config.models['gpt-4o']!.pricing.input).toBe('2.50');
  });

  it('reports a missing or malformed file clearly', () => {
    expect(() => loadConfig({ env: {}, file: '/nonexistent/switchyard.yaml' })).toThrow(/SWITCHYARD_CONFIG: cannot read/);
    expect(() => loadConfig({ env: {}, file: yamlFile('providers: [1, 2') })).toThrow(/not valid YAML/);
  });

  it('builds fallback chains from enabled providers only', () => {
    const anthropicOnly = loadConfig({ env: { ANTHROPIC_API_KEY: 'k' } });
    expect(routesFor(anthropicOnly, resolveModel(anthropicOnly, 'claude-haiku')!).map((route) => route.model)).toEqual(['claude-haiku-4-5', 'claude-3-5-haiku', 'claude-3-haiku']);
    const both = loadConfig({ env: { ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'o' } });
    expect(routesFor(both, resolveModel(both, 'claude-opus')!).map((route) => route.model)).toEqual(['claude-opus-4-1', 'claude-opus-4', 'claude-3-opus', 'gpt-4o']);
  });
});
