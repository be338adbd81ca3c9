import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

const withBreaker = (breaker: Record<string, unknown>) => loadConfig({ env: {}, overrides: { providers: { mock: { breaker } } } });

describe('providers.<name>.breaker', () => {
  it('takes the failure-ratio keys and leaves the absolute threshold unset unless given', () => {
    const breaker = withBreaker({ failureRatio: 0.5, minimumCalls: 40, windowMs: 10_000 }).providers.mock!.breaker;
    expect(breaker).toMatchObject({ failureRatio: 0.5, minimumCalls: 40, windowMs: 10_000, openMs: 15_000 });
    expect(breaker.failureThreshold).toBeUndefined();
  });

  it('refuses a ratio outside (0, 1] and a non-integer minimum, naming the key', () => {
    expect(() => withBreaker({ failureRatio: 1.5 })).toThrow(/providers\.mock\.breaker\.failureRatio/);
    expect(() => withBreaker({ failureRatio: 0 })).toThrow(/providers\.mock\.breaker\.failureRatio/);
    expect(() => withBreaker({ failureRatio: 0.5, minimumCalls: 2.5 })).toThrow(/providers\.mock\.breaker\.minimumCalls/);
  });
});
