import { describe, expect, it } from 'vitest';
import { loadConfig } from '@switchyard/config';
import { healthScore, providerCounts } from './health-summary.ts';

const none = { total: 0, critical: 0, warning: 0, info: 0 };

describe('health summary', () => {
  it('counts configured providers by status, a provider without a status as disabled', () => {
    const config = loadConfig({
      env: {},
      overrides: {
        providers: {
          healthy: { kind: 'openai-compatible', apiKey: 'sk-a', baseUrl: 'http://127.0.0.1:1' },
          slow: { kind: 'openai-compatible', apiKey: 'sk-b', baseUrl: 'http://127.0.0.1:1' },
          off: { kind: 'openai-compatible', apiKey: 'sk-c', baseUrl: 'http://127.0.0.1:1', enabled: false },
        },
      },
    });
    const statuses = { mock: { status: 'no_workers' }, healthy: { status: 'up' }, slow: { status: 'degraded' } };
    expect(providerCounts(config, statuses)).toEqual({
      total: Object.keys(config.providers).length,
      healthy: 1,
      degraded: 1,
      unhealthy: 1,
      disabled: Object.keys(config.providers).length - 3,
    });
  });

  it('scores 100 when every provider is healthy and nothing fires, and takes points for each problem', () => {
    const allHealthy = { total: 3, healthy: 2, degraded: 0, unhealthy: 0, disabled: 1 };
    expect(healthScore(allHealthy, none)).toBe(100);
    expect(healthScore({ ...allHealthy, healthy: 1, degraded: 1 }, none)).toBe(Math.round(70 * 0.75 + 30));
    expect(healthScore(allHealthy, { total: 2, critical: 1, warning: 1, info: 0 })).toBe(80);
    expect(healthScore(allHealthy, { total: 3, critical: 3, warning: 0, info: 0 })).toBe(70);
    expect(healthScore(allHealthy, null)).toBe(70);
    expect(healthScore({ total: 1, healthy: 0, degraded: 0, unhealthy: 0, disabled: 1 }, none)).toBe(30);
  });
});
