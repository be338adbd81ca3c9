import { describe, expect, it } from 'vitest';
import { lateBound } from './late-bound.ts';

class Counter {
  #count = 0;
  label = 'counter';
  increment(): number {
    return ++this.#count;
  }
  get count(): number {
    return this.#count;
  }
}

describe('lateBound', () => {
  it('says what is missing when used before it is bound', () => {
    const counter = lateBound<Counter>('the test counter');
    expect(() => counter.value.increment()).toThrow('the test counter is not started yet');
  });

  it('acts as the bound object: methods with private state, getters, fields', () => {
    const counter = lateBound<Counter>('the test counter');
    const stand = counter.value;
    counter.bind(new Counter());
    const { increment } = stand;
    expect(increment()).toBe(1);
    expect(stand.increment()).toBe(2);
    expect(stand.count).toBe(2);
    stand.label = 'renamed';
    expect(stand.label).toBe('renamed');
    expect('increment' in stand).toBe(true);
  });
});
