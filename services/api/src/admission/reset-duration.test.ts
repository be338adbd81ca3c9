import { describe, expect, it } from 'vitest';
import { formatResetDuration } from './reset-duration.ts';

describe('formatResetDuration', () => {
  it('writes milliseconds below one second', () => {
    expect(formatResetDuration(0)).toBe('0ms');
    expect(formatResetDuration(20)).toBe('20ms');
    expect(formatResetDuration(998.5)).toBe('999ms');
  });

  it('writes seconds with at most millisecond fractions', () => {
    expect(formatResetDuration(1000)).toBe('1s');
    expect(formatResetDuration(1500)).toBe('1.5s');
    expect(formatResetDuration(59_999)).toBe('59.999s');
  });

  it('writes minutes and hours the way OpenAI does', () => {
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(90_250)).toBe('1m30.25s');
    expect(formatResetDuration(3_600_000)).toBe('1h0m0s');
    expect(formatResetDuration(3_723_000)).toBe('1h2m3s');
  });

  it('never goes negative', () => {
    expect(formatResetDuration(-5)).toBe('0ms');
  });
});
