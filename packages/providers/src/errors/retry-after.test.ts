import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('prefers retry-after-ms', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '1500.5', 'retry-after': '9' }, now)).toBe(1501);
  });

  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter({ 'retry-after': '3' }, now)).toBe(3000);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 01 Jan 2025 00:00:20 GMT' }, now)).toBe(20_000);
    expect(parseRetryAfter({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }, now)).toBe(0);
  });

  it('reads a repeated header as its values joined, as fetch did', () => {
    expect(parseRetryAfter({ 'retry-after-ms': ['250', '900'] }, now)).toBe(250);
    expect(parseRetryAfter({ 'retry-after': ['7'] }, now)).toBe(7000);
  });

  it('ignores absent and unreadable values', () => {
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });
});
