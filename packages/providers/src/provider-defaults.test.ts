import { describe, expect, it } from 'vitest';
import { providerConfig } from './__fixtures__/provider-config.ts';
import { providerDefaults } from './provider-defaults.ts';
import { ProviderOptionsError } from './provider-options.ts';
import { createProvider } from './registry.ts';

describe('providerDefaults', () => {
  it("takes the preset named in options, else the provider's own name", () => {
    expect(providerDefaults({ name: 'local', kind: 'openai-compatible', options: { preset: 'vllm' } })).toEqual({
      baseUrl: 'http://localhost:8000/v1',
      requiresApiKey: false,
      localBaseUrl: true,
    });
    expect(providerDefaults({ name: 'openai', kind: 'openai-compatible', options: {} })).toEqual({
      baseUrl: 'https://api.openai.com/v1',
      requiresApiKey: true,
      localBaseUrl: false,
    });
    expect(providerDefaults({ name: 'together', kind: 'openai-compatible', options: {} })).toEqual({ requiresApiKey: true, localBaseUrl: false });
  });

  it('gives each kind its address, version and key requirement', () => {
    expect(providerDefaults({ name: 'anthropic', kind: 'anthropic', options: {} })).toMatchObject({
      baseUrl: 'https://api.anthropic.com',
      apiVersion: '2023-06-01',
      requiresApiKey: true,
    });
    expect(providerDefaults({ name: 'azure-openai', kind: 'azure-openai', options: {} })).toMatchObject({ apiVersion: '2024-10-21', requiresApiKey: true });
    expect(providerDefaults({ name: 'ollama', kind: 'ollama', options: {} })).toMatchObject({
      baseUrl: 'http://localhost:11434',
      requiresApiKey: false,
      localBaseUrl: true,
    });
    expect(providerDefaults({ name: 'mock', kind: 'mock', options: { latencyMs: 5 } })).toEqual({ requiresApiKey: false, localBaseUrl: false });
  });

  it('refuses options its kind does not know, naming them', () => {
    const refusal = (kind: 'openai-compatible' | 'anthropic' | 'ollama', options: Record<string, unknown>) => {
      try {
        providerDefaults({ name: 'p', kind, options });
      } catch (error) {
        return error instanceof ProviderOptionsError ? `${error.path.join('.')}: ${error.message}` : String(error);
      }
      return 'accepted';
    };
    expect(refusal('openai-compatible', { embedings: false })).toBe('embedings: unknown option');
    expect(refusal('openai-compatible', { tools: 'no' })).toMatch(/^tools: /);
    expect(refusal('anthropic', { defaultMaxToken: 5 })).toBe('defaultMaxToken: unknown option');
    expect(refusal('ollama', { model: 'x' })).toBe('model: unknown option');
  });

  it('reaches createProvider callers as a message naming the provider', () => {
    expect(() => createProvider(providerConfig({ name: 'x', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1', options: { preset: 'nope' } }))).toThrow(
      /^provider x: options\.preset: unknown preset "nope"/,
    );
  });
});
