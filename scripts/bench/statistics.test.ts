import { describe, expect, it } from 'vitest';
import { distribution, percentile } from './statistics.ts';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 90)).toBe(9);
    expect(percentile(sorted, 99)).toBe(10);
    expect(percentile([42], 1)).toBe(42);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('distribution', () => {
  it('sorts numerically, not as text', () => {
    const summary = distribution([10, 9, 100, 1, 2]);
    expect(summary).toEqual({ count: 5, p50: 9, p90: 100, p99: 100, max: 100, mean: 24.4 });
  });
});
