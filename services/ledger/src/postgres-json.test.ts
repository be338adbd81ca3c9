import { describe, expect, it } from 'vitest';
import { toPostgresJson } from './postgres-json.ts';

describe('toPostgresJson', () => {
  it('replaces NUL characters in values and keys, and nothing else', () => {
    const text = toPostgresJson({ 'k\u0000': ['a\u0000b', '\u0000\u0000'], plain: 'x' })!;
    expect(JSON.parse(text)).toEqual({ 'k\uFFFD': ['a\uFFFDb', '\uFFFD\uFFFD'], plain: 'x' });
    expect(text).not.toContain('\\u0000');
  });

  it('keeps a literal backslash followed by u0000', () => {
    const value = { text: '\\u0000 and \\\\u0000' };
    expect(JSON.parse(toPostgresJson(value)!)).toEqual(value);
    expect(JSON.parse(toPostgresJson({ text: '\\\u0000' })!)).toEqual({ text: '\\\uFFFD' });
  });

  it('leaves absence as null', () => {
    expect(toPostgresJson(undefined)).toBeNull();
  });
});
