import { describe, expect, it } from 'vitest';
import { finishedPerMinute } from './finished-per-minute.ts';

const minute = 60_000;
const at = (minutes: number, seconds = 0) => minutes * minute + seconds * 1000;

describe('finishedPerMinute', () => {
  it('is null for a queue that has recorded nothing', () => {
    expect(finishedPerMinute({ meta: { count: 0, prevTS: 0, prevCount: 0 }, data: [] }, at(100))).toBeNull();
  });

  it('counts the jobs of the current minute in full', () => {
    // 7 finished in minute 100 so far.
    expect(finishedPerMinute({ meta: { count: 27, prevTS: at(100, 5), prevCount: 20 }, data: [3, 4] }, at(100, 30))).toBe(7 + 3 * 0.5);
  });

  it('weights the previous minute by the part of it still inside the last 60 s', () => {
    // Nothing yet in minute 101; 10 finished in minute 100 (still pending in meta).
    expect(finishedPerMinute({ meta: { count: 30, prevTS: at(100, 59), prevCount: 20 }, data: [] }, at(101, 15))).toBe(7.5);
  });

  it('reads earlier minutes from the data points, newest first', () => {
    // prevTS in minute 101: data[0] is minute 100.
    expect(finishedPerMinute({ meta: { count: 41, prevTS: at(101, 2), prevCount: 40 }, data: [12, 99] }, at(101, 45))).toBe(1 + 12 * 0.25);
  });

  it('is zero once everything recorded is older than a minute', () => {
    expect(finishedPerMinute({ meta: { count: 30, prevTS: at(100, 10), prevCount: 20 }, data: [5] }, at(102, 1))).toBe(0);
  });
});
