import { describe, expect, it } from 'vitest';
import { addUsd, compareUsd, costUsd, normalizeUsd, priceVersion, roundUsd } from './pricing.ts';

describe('costUsd', () => {
  it('prices a sub-cent price exactly where floats drift', () => {
    // 0.075 × 3 / 1e6 in floats is 2.2499999999999998e-7.
    expect(costUsd({ inputTokens: 3, outputTokens: 0 }, { input: '0.075', output: '0.3' })).toBe('0.000000225');
    expect(costUsd({ inputTokens: 1000, outputTokens: 500 }, { input: '0.075', output: '0.3' })).toBe('0.000225');
  });

  it('handles token counts far beyond float precision', () => {
    const cost = costUsd({ inputTokens: 9_007_199_254_740_991, outputTokens: 1 }, { input: '123.456789012', output: '0.000000001' });
    expect(cost).toBe('1111999897981.602166594790893'); // checked with Python's decimal module;
  });

  it('bills cached input tokens at the cached price, the rest at the input price', () => {
    const pricing = { input: '3', output: '15', cachedInput: '0.3' };
    // 800 uncached × 3 + 200 cached × 0.3 + 100 × 15 = 2400 + 60 + 1500 = 3960 per million.
    expect(costUsd({ inputTokens: 1000, cachedInputTokens: 200, outputTokens: 100 }, pricing)).toBe('0.00396');
    expect(costUsd({ inputTokens: 1000, cachedInputTokens: 200, outputTokens: 100 }, { input: '3', output: '15' })).toBe('0.0045');
  });

  it('bills cache writes at the cache-write price, reads at the cached price, the rest at the input price', () => {
    const sonnet = { input: '3.00', output: '15.00', cachedInput: '0.30', cacheWrite: '3.75' };
    const usage = { inputTokens: 10_000, cachedInputTokens: 2048, cacheWriteInputTokens: 188, outputTokens: 9 };
    // 7764 × 3 + 2048 × 0.3 + 188 × 3.75 + 9 × 15 = 23292 + 614.4 + 705 + 135 = 24746.4 per million.
    expect(costUsd(usage, sonnet)).toBe('0.0247464');
    // Without a cache-write price, writes bill as plain input: 7952 × 3 + 614.4 + 135 = 24605.4.
    expect(costUsd(usage, { input: '3.00', output: '15.00', cachedInput: '0.30' })).toBe('0.0246054');
    // 3 × 0.3125 = 0.9375 per million, where floats give 9.374999999999999e-7.
    expect(costUsd({ inputTokens: 3, cacheWriteInputTokens: 3, outputTokens: 0 }, { input: '0.25', output: '1.25', cacheWrite: '0.3125' })).toBe(
      '0.0000009375',
    );
  });

  it('never bills more cache writes than the input tokens left after cache reads', () => {
    // 60 input: 50 read (× 0.5), only 10 of the 50 writes (× 2), nothing at the input price.
    expect(
      costUsd(
        { inputTokens: 60, cachedInputTokens: 50, cacheWriteInputTokens: 50, outputTokens: 0 },
        { input: '1', output: '1', cachedInput: '0.5', cacheWrite: '2' },
      ),
    ).toBe('0.000045');
  });

  it('never bills more cached tokens than input tokens', () => {
    expect(costUsd({ inputTokens: 10, cachedInputTokens: 50, outputTokens: 0 }, { input: '1', output: '1', cachedInput: '0.5' })).toBe('0.000005');
  });

  it('is zero for free models and rejects bad input', () => {
    expect(costUsd({ inputTokens: 123, outputTokens: 456 }, { input: '0', output: '0' })).toBe('0');
    expect(() => costUsd({ inputTokens: 1, outputTokens: 1 }, { input: '0.0000000001', output: '1' })).toThrow(/fraction digits/);
    expect(() => costUsd({ inputTokens: -1, outputTokens: 1 }, { input: '1', output: '1' })).toThrow(/token count/);
    expect(() => costUsd({ inputTokens: 1, outputTokens: 1 }, { input: '1e-7', output: '1' })).toThrow(/decimal/);
  });
});

describe('decimal helpers', () => {
  it('adds without drift', () => {
    let total = '0';
    for (let index = 0; index < 10; index++) total = addUsd(total, '0.1');
    expect(total).toBe('1');
    expect(addUsd('0.000000000000001', '12345678901234567890.5')).toBe('12345678901234567890.500000000000001');
  });

  it('compares across scales', () => {
    expect(compareUsd('10.50', '10.5')).toBe(0);
    expect(compareUsd('10.5000000000001', '10.5')).toBe(1);
    expect(compareUsd('9.99', '10')).toBe(-1);
  });

  it('normalizes and rounds half up', () => {
    expect(normalizeUsd('0.075000000000000')).toBe('0.075');
    expect(normalizeUsd('007.000')).toBe('7');
    expect(roundUsd('0.0000004999', 6)).toBe('0');
    expect(roundUsd('0.0000005', 6)).toBe('0.000001');
    expect(roundUsd('1.9999995', 6)).toBe('2');
    expect(roundUsd('1.25', 6)).toBe('1.25');
  });
});

describe('priceVersion', () => {
  it('is stable across spellings of the same prices and changes with any price', () => {
    const base = priceVersion({ input: '0.5', output: '1.5' });
    expect(base).toMatch(/^[0-9a-f]{12}$/);
    expect(priceVersion({ input: '0.50', output: '1.500', cachedInput: '0.5' })).toBe(base);
    expect(priceVersion({ input: '0.5', output: '1.5', cachedInput: '0.05' })).not.toBe(base);
    expect(priceVersion({ input: '0.5', output: '1.6' })).not.toBe(base);
  });

  it('changes with a cache-write price of its own, and keeps the id of prices without one', () => {
    const base = priceVersion({ input: '3', output: '15', cachedInput: '0.3' });
    // The id these prices had before cache writes were priced (sha256 of "3|15|0.3").
    expect(base).toBe('8d8d7f3cbe8a');
    expect(priceVersion({ input: '3.00', output: '15', cachedInput: '0.3', cacheWrite: '3.0' })).toBe(base);
    const withWrites = priceVersion({ input: '3', output: '15', cachedInput: '0.3', cacheWrite: '3.75' });
    expect(withWrites).not.toBe(base);
    expect(priceVersion({ input: '3', output: '15', cachedInput: '0.3', cacheWrite: '3.750' })).toBe(withWrites);
    expect(priceVersion({ input: '3', output: '15', cachedInput: '0.3', cacheWrite: '3.76' })).not.toBe(withWrites);
  });
});
