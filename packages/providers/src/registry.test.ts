import { describe, expect, it } from 'vitest';
import { providerConfig } from './__fixtures__/provider-config.ts';
import { createProvider } from './registry.ts';

describe('createProvider', () => {
  it('builds each kind with the optional endpoints it supports', () => {
    const openai = createProvider(providerConfig({ name: 'openai', kind: 'openai-compatible', apiKey: 'k' }));
    const anthropic = createProvider(providerConfig({ name: 'anthropic', kind: 'anthropic', apiKey: 'k' }));
    const azure = createProvider(providerConfig({ name: 'azure-openai', kind: 'azure-openai', baseUrl: 'https://example.openai.azure.com', apiKey: 'k' }));
    const ollama = createProvider(providerConfig({ name: 'ollama', kind: 'ollama' }));
    const mock = createProvider(providerConfig({ name: 'mock', kind: 'mock' }));
    expect([openai, anthropic, azure, ollama, mock].map((adapter) => [adapter.name, Boolean(adapter.embed), Boolean(adapter.complete)])).toEqual([
      ['openai', true, true],
      ['anthropic', false, false],
      ['azure-openai', true, true],
      ['ollama', true, false],
      ['mock', true, true],
    ]);
  });

  it('needs a base URL when no preset supplies one', () => {
    expect(() => createProvider(providerConfig({ name: 'runpod', kind: 'openai-compatible' }))).toThrow('provider runpod: baseUrl is required');
    expect(() => createProvider(providerConfig({ name: 'azure-openai', kind: 'azure-openai' }))).toThrow(/baseUrl is required/);
  });
});
