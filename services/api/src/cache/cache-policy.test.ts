import { describe, expect, it } from 'vitest';
import { loadConfig, type ModelConfig } from '@switchyard/config';
import { planResponseCache, type CachePlanInput } from './cache-policy.ts';

const config = loadConfig({ env: {}, overrides: { models: { 'mock-fast': { cache: { ttlSeconds: 90 } } } } });
const cachedModel = config.models['mock-fast']!;
const plainModel = config.models['mock-slow']!;

const plan = (overrides: Partial<CachePlanInput> = {}) =>
  planResponseCache({
    config,
    model: cachedModel,
    endpoint: '/v1/chat/completions',
    body: { model: 'mock-fast', temperature: 0, messages: [] },
    cacheHeader: undefined,
    cacheControl: undefined,
    asynchronous: false,
    ...overrides,
  });

describe('planResponseCache', () => {
  it('looks up and stores for a cached model, with its TTL', () => {
    expect(plan()).toEqual({ kind: 'use', lookup: true, ttlSeconds: 90 });
  });

  it('is off for a model without cache unless the request asks, then with the default TTL', () => {
    expect(plan({ model: plainModel })).toEqual({ kind: 'off' });
    expect(plan({ model: plainModel, cacheHeader: 'use' })).toEqual({ kind: 'use', lookup: true, ttlSeconds: 300 });
    expect(plan({ model: plainModel, cacheHeader: 'maybe' })).toEqual({ kind: 'off' });
  });

  it('is off for async jobs', () => {
    expect(plan({ asynchronous: true })).toEqual({ kind: 'off' });
  });

  it('follows Cache-Control: no-cache writes only, no-store does neither', () => {
    expect(plan({ cacheControl: 'No-Cache' })).toEqual({ kind: 'use', lookup: false, ttlSeconds: 90 });
    expect(plan({ cacheControl: 'max-age=0, no-store' })).toEqual({ kind: 'skip' });
  });

  it('skips chats and completions whose temperature is absent or above 0, unless the model allows it', () => {
    expect(plan({ body: { model: 'mock-fast', messages: [] } })).toEqual({ kind: 'skip' });
    expect(plan({ endpoint: '/v1/completions', body: { model: 'mock-fast', prompt: 'x', temperature: 0.2 } })).toEqual({ kind: 'skip' });
    const permissive: ModelConfig = { ...cachedModel, cache: { ttlSeconds: 5, allowNonDeterministic: true } };
    expect(plan({ model: permissive, body: { model: 'mock-fast', temperature: 1.5 } })).toEqual({ kind: 'use', lookup: true, ttlSeconds: 5 });
    expect(plan({ endpoint: '/v1/embeddings', body: { model: 'mock-fast', input: 'x' } })).toEqual({ kind: 'use', lookup: true, ttlSeconds: 90 });
  });
});
