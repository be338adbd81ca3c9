import { describe, expect, it } from 'vitest';
import { readOncePerTurn } from './read-once-per-turn.ts';

describe('readOncePerTurn', () => {
  it('serves every call of one turn with one read, started after they all asked', async () => {
    const started: number[] = [];
    let value = 0;
    const read = readOncePerTurn(async () => {
      started.push(value);
      return value;
    });
    const first = read();
    value = 1; // A change made before the read starts is seen by every caller of the turn.
    const second = read();
    expect(await Promise.all([first, second])).toEqual([1, 1]);
    expect(started).toEqual([1]);
  });

  it('reads again for calls of a later turn, and passes a failure to the callers of its turn only', async () => {
    let calls = 0;
    const read = readOncePerTurn(async () => {
      calls += 1;
      if (calls === 1) throw new Error('unreachable');
      return calls;
    });
    await expect(read()).rejects.toThrow('unreachable');
    expect(await read()).toBe(2);
    const [a, b] = await Promise.all([read(), read()]);
    expect([a, b, calls]).toEqual([3, 3, 3]);
  });
});
