import { describe, expect, it } from 'vitest';
import { maxRetryAfterMs, retryAfterMs } from './retry-after.ts';

describe('retryAfterMs', () => {
  const now = Date.UTC(2026, 5, 1, 12, 0, 0);

  it('reads delta seconds', () => {
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
    expect(retryAfterMs('1.5', now)).toBe(1500);
  });

  it('reads an HTTP date, never into the past', () => {
    expect(retryAfterMs(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(retryAfterMs(new Date(now - 90_000).toUTCString(), now)).toBe(0);
  });

  it('caps at a day and ignores what it cannot read', () => {
    expect(retryAfterMs('999999999', now)).toBe(maxRetryAfterMs);
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('later', now)).toBeUndefined();
  });
});
