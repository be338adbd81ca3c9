import { describe, expect, it } from 'vitest';
import { parseFirstKey } from './switchyard-all-target.ts';
import { selectTargets } from './targets.ts';

describe('selectTargets', () => {
  it('keeps the report order and refuses unknown names', () => {
    expect(selectTargets(undefined)).toEqual(['passthrough', 'floor', 'portkey', 'switchyard-all', 'switchyard-split']);
    expect(selectTargets(['switchyard-split', 'passthrough'])).toEqual(['passthrough', 'switchyard-split']);
    expect(() => selectTargets(['passthrough', 'switchyard'])).toThrow('unknown target(s) switchyard');
  });
});

describe('parseFirstKey', () => {
  it('reads the key `switchyard all` prints at its first start, and nothing from other output', () => {
    const output =
      '{"level":40,"msg":"x"}\n\nFirst start: created organization "default" (org_123) and its API key (shown once):\n\n    sy_live_abc123\n\nTry: curl ...';
    expect(parseFirstKey(output)).toBe('sy_live_abc123');
    expect(parseFirstKey('starting switchyard all\n')).toBeUndefined();
  });
});
