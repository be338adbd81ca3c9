import { describe, expect, it } from 'vitest';
import type { StreamPart } from '@switchyard/core';
import { createPartSequencer } from './part-sequencer.ts';

const parts = (...texts: string[]): StreamPart[] => texts.map((text) => ({ type: 'text-delta', text }));
const texts = (taken: { seq: number; part: StreamPart }[]) => taken.map(({ seq, part }) => `${seq}:${part.type === 'text-delta' ? part.text : part.type}`);

describe('part sequencer', () => {
  it('passes batches that arrive in order straight through', () => {
    const sequencer = createPartSequencer();
    sequencer.add({ seq: 1, parts: parts('a', 'b'), model: 'gpt-4o' });
    sequencer.add({ seq: 3, parts: parts('c') });
    expect(texts(sequencer.take())).toEqual(['1:a', '2:b', '3:c']);
    expect(sequencer.take()).toEqual([]);
    expect(sequencer.accepted).toBe(3);
    expect(sequencer.model).toBe('gpt-4o');
  });

  it('holds parts past a gap until the gap is filled, and drops what it already has', () => {
    const sequencer = createPartSequencer();
    sequencer.add({ seq: 1, parts: parts('a') });
    sequencer.add({ seq: 4, parts: parts('d', 'e') });
    expect(texts(sequencer.take())).toEqual(['1:a']);
    expect(sequencer.held).toBe(2);
    expect(sequencer.highestSeen).toBe(5);
    // A read of the stream overlaps both what was delivered and what is held.
    sequencer.add({ seq: 1, parts: parts('a', 'b', 'c', 'd') });
    expect(texts(sequencer.take())).toEqual(['2:b', '3:c', '4:d', '5:e']);
    expect(sequencer.held).toBe(0);
    sequencer.add({ seq: 5, parts: parts('e', 'f') });
    expect(texts(sequencer.take())).toEqual(['6:f']);
  });

  it('ignores a model named by any batch but the first', () => {
    const sequencer = createPartSequencer();
    sequencer.add({ seq: 2, parts: parts('b'), model: 'wrong' });
    expect(sequencer.model).toBeUndefined();
  });
});
