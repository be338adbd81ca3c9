import { describe, expect, it } from 'vitest';
import { newApiKeySecret, newId, newRequestId } from './ids.ts';

describe('newId', () => {
  it('gives distinct ids of the asked shape across many refills of its random pool', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => newRequestId()));
    expect(ids.size).toBe(20_000);
    for (const id of [...ids].slice(0, 100)) expect(id).toMatch(/^req_[0-9a-zA-Z]{22}$/);
    expect(newApiKeySecret()).toMatch(/^sk-sy_[0-9a-zA-Z]{40}$/);
    expect(newId('file', 24, '-')).toMatch(/^file-[0-9a-zA-Z]{24}$/);
  });

  it('takes ids longer than its pool straight from the CSPRNG', () => {
    expect(newId('long', 5000)).toMatch(/^long_[0-9a-zA-Z]{5000}$/);
  });

  it('uses the whole alphabet, roughly evenly', () => {
    const counts = new Map<string, number>();
    for (let index = 0; index < 2000; index++) for (const char of newRequestId().slice(4)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 44,000 draws over 62 symbols: about 710 each; the modulo's bias gives the first 8 about 4/3 of that.
    for (const count of counts.values()) expect(count).toBeGreaterThan(400);
  });
});
