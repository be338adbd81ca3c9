import { describe, expect, it } from 'vitest';
import { createSlotWaiters } from './slot-waiters.ts';

describe('createSlotWaiters', () => {
  it('wakes the longest waiter of the released destination only', async () => {
    const waiters = createSlotWaiters({ perDestination: 2, total: 4 });
    const woken: string[] = [];
    const first = waiters.wait('a:80', 60_000).then(() => woken.push('a1'));
    const second = waiters.wait('a:80', 60_000).then(() => woken.push('a2'));
    const other = waiters.wait('b:80', 60_000).then(() => woken.push('b1'));
    waiters.released('a:80');
    await first;
    expect(woken).toEqual(['a1']);
    waiters.released('b:80');
    waiters.released('a:80');
    await Promise.all([second, other]);
    expect(woken.sort()).toEqual(['a1', 'a2', 'b1']);
  });

  it('refuses to wait past its bounds, per destination and in all', async () => {
    const waiters = createSlotWaiters({ perDestination: 1, total: 2 });
    const a = waiters.wait('a:80', 60_000);
    expect(await waiters.wait('a:80', 60_000)).toBe(false);
    const b = waiters.wait('b:80', 60_000);
    expect(await waiters.wait('c:80', 60_000)).toBe(false);
    waiters.released('a:80');
    waiters.released('b:80');
    expect(await Promise.all([a, b])).toEqual([true, true]);
    // Room again once they left.
    const again = waiters.wait('c:80', 1);
    expect(await again).toBe(true);
  });
});
