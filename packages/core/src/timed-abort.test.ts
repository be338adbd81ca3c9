import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createTimedAbort } from './timed-abort.ts';

describe('createTimedAbort', () => {
  it('aborts with its timeout reason when the timer runs out, and says so', () => {
    vi.useFakeTimers();
    try {
      const timed = createTimedAbort(undefined, 100, () => new Error('too slow'));
      vi.advanceTimersByTime(99);
      expect(timed.signal.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect(timed.signal.aborted).toBe(true);
      expect(timed.timedOut).toBe(true);
      expect((timed.signal.reason as Error).message).toBe('too slow');
    } finally {
      vi.useRealTimers();
    }
  });

  it('follows its parent, with the parent’s reason, without counting as a timeout', () => {
    const parent = new AbortController();
    const timed = createTimedAbort(parent.signal, 60_000, () => 'timeout');
    parent.abort('client gone');
    expect(timed.signal.aborted).toBe(true);
    expect(timed.signal.reason).toBe('client gone');
    expect(timed.timedOut).toBe(false);
    timed.dispose();
  });

  it('starts aborted under a parent that already is', () => {
    const parent = new AbortController();
    parent.abort('cancelled');
    const timed = createTimedAbort(parent.signal, 60_000, () => 'timeout');
    expect(timed.signal.reason).toBe('cancelled');
    timed.dispose();
  });

  it('restarts the timer on rearm', () => {
    vi.useFakeTimers();
    try {
      const timed = createTimedAbort(undefined, 100, () => 'timeout');
      vi.advanceTimersByTime(80);
      timed.rearm();
      vi.advanceTimersByTime(80);
      expect(timed.signal.aborted).toBe(false);
      vi.advanceTimersByTime(20);
      expect(timed.timedOut).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stays quiet when rearmed after it was disposed (real timers: a cleared timer is not revived)', async () => {
    const timed = createTimedAbort(undefined, 5, () => 'timeout');
    timed.dispose();
    timed.rearm();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(timed.signal.aborted).toBe(false);
  });

  it('leaves no timer and no listener on the parent once disposed', () => {
    vi.useFakeTimers();
    try {
      const parent = new AbortController();
      const timed = createTimedAbort(parent.signal, 100, () => 'timeout');
      expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(1);
      timed.dispose();
      expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(1000);
      expect(timed.signal.aborted).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('aborts on request', () => {
    const timed = createTimedAbort(undefined, 60_000, () => 'timeout');
    timed.abort();
    expect(timed.signal.aborted).toBe(true);
    expect(timed.timedOut).toBe(false);
    timed.dispose();
  });
});
