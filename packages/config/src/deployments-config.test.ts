import { describe, expect, it } from 'vitest';
import { loadConfig, resolveModel, routesFor } from './load-config.ts';

const providers = {
  east: { kind: 'mock' },
  west: { kind: 'mock' },
  spare: { kind: 'mock' },
  off: { kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1', enabled: false },
};

const load = (models: Record<string, unknown>, extra: Record<string, unknown> = {}) => loadConfig({ env: {}, overrides: { providers, models, ...extra } });

describe('model deployments', () => {
  it('keeps the single provider form as one deployment of weight 1', () => {
    const config = load({ solo: { provider: 'east', upstreamModel: 'solo-upstream' } });
    expect(config.models.solo!.deployments).toEqual([{ provider: 'east', upstreamModel: 'solo-upstream', weight: 1, priority: 0 }]);
    expect(config.models.solo!.strategy).toBe('weighted');
    expect(routesFor(config, config.models.solo!)).toEqual([{ provider: 'east', model: 'solo', upstreamModel: 'solo-upstream' }]);
  });

  it("chains the model's deployments before its fallbacks' and skips disabled providers", () => {
    const config = load({
      main: { deployments: [{ provider: 'east', weight: 3 }, { provider: 'off' }, { provider: 'west', upstreamModel: 'main-west' }], fallbacks: ['backup'] },
      backup: { provider: 'spare' },
    });
    expect(config.models.main!.provider).toBe('east');
    expect(routesFor(config, config.models.main!)).toEqual([
      { provider: 'east', model: 'main', upstreamModel: 'main' },
      { provider: 'west', model: 'main', upstreamModel: 'main-west' },
      { provider: 'spare', model: 'backup', upstreamModel: 'backup' },
    ]);
    // Ordered per request: a draw that lands on west puts it first; the fallback stays last.
    const ordered = routesFor(config, config.models.main!, { random: () => 0.99 });
    expect(ordered.map((route) => route.provider)).toEqual(['west', 'east', 'spare']);
  });

  it('pins a forced deployment by index or by provider name', () => {
    const byIndex = load({ pinned: { deployments: [{ provider: 'east' }, { provider: 'west' }], forced: 1 } });
    expect(routesFor(byIndex, byIndex.models.pinned!, { random: () => 0 }).map((route) => route.provider)).toEqual(['west']);
    const byName = load({ pinned: { deployments: [{ provider: 'east' }, { provider: 'west' }], forced: 'east' } });
    expect(byName.models.pinned!.forced).toBe(0);
    expect(routesFor(byName, byName.models.pinned!, { random: () => 0.99 }).map((route) => route.provider)).toEqual(['east']);
  });

  it('refuses a forced deployment that is not listed, an unknown deployment provider and a model with neither form', () => {
    expect(() => load({ pinned: { deployments: [{ provider: 'east' }], forced: 3 } })).toThrow(
      /models\.pinned\.forced: 3 is not one of its deployments: 0 \(east\)/,
    );
    expect(() => load({ pinned: { deployments: [{ provider: 'east' }], forced: 'west' } })).toThrow(/models\.pinned\.forced/);
    expect(() => load({ lost: { deployments: [{ provider: 'nowhere' }] } })).toThrow(/models\.lost\.deployments\.0\.provider: unknown provider "nowhere"/);
    expect(() => load({ empty: {} })).toThrow(/models\.empty: set `provider` or list `deployments`/);
    expect(() => load({ bad: { deployments: [{ provider: 'east', weight: 0 }] } })).toThrow(/weight/);
    expect(() => load({ bad: { provider: 'east', strategy: 'fastest' } })).toThrow(/strategy/);
  });

  it('lets deployments replace a seed model served by one provider', () => {
    const config = loadConfig({ env: {}, overrides: { providers, models: { 'gpt-4o': { deployments: [{ provider: 'east' }, { provider: 'west' }] } } } });
    expect(resolveModel(config, 'gpt-4o')!.deployments.map((entry) => entry.provider)).toEqual(['east', 'west']);
  });
});

describe('static API keys, header names, provider headers and pools', () => {
  it('keeps only the hash of a static key', () => {
    const plaintext = 'sk-static-0123456789abcdef';
    const config = load({}, { auth: { apiKeys: [{ key: plaintext, org: 'acme', name: 'ci' }], apiKeyHeader: 'X-Goog-Api-Key' } });
    expect(config.auth.apiKeyHeader).toBe('x-goog-api-key');
    expect(config.auth.apiKeys).toEqual([{ org: 'acme', name: 'ci', keyHash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(JSON.stringify(config)).not.toContain(plaintext);
  });

  it('refuses a short static key and a snake_case key with a hint', () => {
    expect(() => load({}, { auth: { apiKeys: [{ key: 'short', org: 'acme' }] } })).toThrow(/auth\.apiKeys\.0\.key: must be at least 16 characters/);
    expect(() => load({}, { auth: { api_keys: [] } })).toThrow(/auth\.api_keys: unknown key \(did you mean auth\.apiKeys\?\)/);
  });

  it('merges customHeaders into headers and accepts pool settings', () => {
    const config = loadConfig({
      env: {},
      overrides: {
        providers: {
          up: {
            kind: 'openai-compatible',
            baseUrl: 'http://127.0.0.1:1',
            headers: { 'x-team': 'a', 'x-both': 'headers' },
            customHeaders: { 'x-both': 'custom' },
            maxConnections: 8,
            keepAliveTimeoutMs: 30_000,
          },
        },
        models: {},
      },
    });
    const provider = config.providers.up!;
    expect(provider.headers).toEqual({ 'x-team': 'a', 'x-both': 'custom' });
    expect(provider).not.toHaveProperty('customHeaders');
    expect(provider).toMatchObject({ maxConnections: 8, keepAliveTimeoutMs: 30_000 });
    expect(() => loadConfig({ env: {}, overrides: { providers: { up: { kind: 'mock', maxConnections: 0 } }, models: {} } })).toThrow(/maxConnections/);
  });
});
