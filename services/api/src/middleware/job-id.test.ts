import { describe, expect, it } from 'vitest';
import { isJobId } from './job-id.ts';

describe('isJobId', () => {
  it('accepts the ids the gateway generates', () => {
    expect(isJobId('req_4fQ2abcdefghijklmnopqr')).toBe(true);
    expect(isJobId('req_4fQ2abcdefghijklmnopqr-r1')).toBe(true);
  });

  it.each(['', 'abc\u0000def', 'abc\u0001', 'a b', 'a/b', 'é', 'a'.repeat(129)])('refuses %j', (value) => {
    expect(isJobId(value)).toBe(false);
  });
});
