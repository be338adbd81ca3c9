import { describe, expect, it } from 'vitest';
import { eventually, GiveUp } from './eventually.ts';

describe('eventually', () => {
  it('returns the first truthy value the probe gives', async () => {
    let calls = 0;
    const value = await eventually('the third call', async () => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it('tries again after a failed assertion, and resolves once it passes', async () => {
    let calls = 0;
    await eventually(
      'the counter to reach 2',
      () => {
        calls += 1;
        expect(calls).toBe(2);
        return true;
      },
      { intervalMs: 1 },
    );
    expect(calls).toBe(2);
  });

  it('names what it waited for and the last value when time runs out', async () => {
    const queue = { waiting: 3 };
    await expect(eventually('the queue to drain', () => queue.waiting === 0, { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(
      /timed out after 20 ms waiting for the queue to drain; the last try returned false/,
    );
  });

  it('shows the last error a failing probe threw', async () => {
    const failure = eventually(
      'two live workers',
      () => {
        throw new Error('expected 1 to be 2');
      },
      { timeoutMs: 20, intervalMs: 5 },
    );
    await expect(failure).rejects.toThrow(/waiting for two live workers; the last try threw Error: expected 1 to be 2/);
  });

  it('stops at once when the probe gives up', async () => {
    let calls = 0;
    const failure = eventually('a process that already exited', () => {
      calls += 1;
      throw new GiveUp('it exited with code 1');
    });
    await expect(failure).rejects.toThrow('gave up waiting for a process that already exited: it exited with code 1');
    expect(calls).toBe(1);
  });
});
