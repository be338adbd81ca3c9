import { describe, expect, it } from 'vitest';
import { storableJson, storableText } from './storable-text.ts';

describe('storableText', () => {
  it('replaces U+0000 with U+FFFD', () => {
    expect(storableText('a\u0000b\u0000')).toBe('a\uFFFDb\uFFFD');
  });

  it('replaces lone surrogates, high or low, and keeps valid pairs', () => {
    expect(storableText('x\uD83Dy')).toBe('x\uFFFDy');
    expect(storableText('\uDE00 end')).toBe('\uFFFD end');
    expect(storableText('tail \uD83D')).toBe('tail \uFFFD');
    expect(storableText('ok \uD83D\uDE00')).toBe('ok \uD83D\uDE00');
    // A low then a high surrogate is not a pair: both are lone.
    expect(storableText('\uDE00\uD83D')).toBe('\uFFFD\uFFFD');
  });

  it('leaves ordinary text, other control characters included, as it is', () => {
    for (const text of ['', 'plain', 'tab\tnewline\n\u0001', 'ünïcödé ✓ 日本']) expect(storableText(text)).toBe(text);
  });
});

describe('storableJson', () => {
  it('makes every string storable, keys and nested values included', () => {
    const value = { 'k\u0000': ['a\u0000b', { deep: 'x\uD800' }], n: 1, t: true, z: null };
    expect(storableJson(value)).toEqual({ 'k\uFFFD': ['a\uFFFDb', { deep: 'x\uFFFD' }], n: 1, t: true, z: null });
    // The input is not modified.
    expect(value['k\u0000'][0]).toBe('a\u0000b');
  });

  it('returns a value that needs no change as it is', () => {
    const value = { a: ['b', { c: 'd' }], e: 2 };
    expect(storableJson(value)).toBe(value);
    expect(storableJson(undefined)).toBeUndefined();
    expect(storableJson(3)).toBe(3);
  });

  it('yields JSON Postgres accepts: no \\u0000 escape and no lone surrogate escape', () => {
    const stored = JSON.stringify(storableJson({ text: 'a\u0000\uDC00b' }));
    expect(stored).not.toMatch(/\\u0000|\\ud[89a-f]/i);
  });
});
