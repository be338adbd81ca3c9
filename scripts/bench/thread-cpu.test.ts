import { describe, expect, it } from 'vitest';
import { exitedThreads, threadCpuDelta, threadNameOf } from './thread-cpu.ts';

describe('threadNameOf', () => {
  it('reads the name between the parentheses, spaces and parentheses inside included', () => {
    expect(threadNameOf('4242 (MainThread) S 1 2 3')).toBe('MainThread');
    expect(threadNameOf('4243 (provider (open) S 1 2 3')).toBe('provider (open');
  });
});

describe('threadCpuDelta', () => {
  it('adds per thread name, counts a new thread from zero and names what ended threads used', () => {
    const before = new Map([
      [1, { name: 'MainThread', ms: 100 }],
      [2, { name: 'V8Worker', ms: 10 }],
      [3, { name: 'V8Worker', ms: 10 }],
      [4, { name: 'provider-old', ms: 50 }],
    ]);
    const after = new Map([
      [1, { name: 'MainThread', ms: 160 }],
      [2, { name: 'V8Worker', ms: 15 }],
      [3, { name: 'V8Worker', ms: 20 }],
      [5, { name: 'provider-openai', ms: 30 }],
    ]);
    // The process used 140 ms: 60 + 5 + 10 + 30 = 105 by living threads, 35 by the one that ended.
    expect(threadCpuDelta(before, after, 140)).toEqual({
      'main thread': 60,
      'V8 helpers (GC, compiler)': 15,
      'provider-openai': 30,
      [exitedThreads]: 35,
    });
  });
});
