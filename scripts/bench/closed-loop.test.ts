import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runClosedLoop } from './closed-loop.ts';
import { createReplyWaiters } from './reply-waiters.ts';

describe('runClosedLoop', () => {
  it('keeps `concurrency` operations in flight and counts only what finishes inside the window', async () => {
    let inFlight = 0;
    let most = 0;
    let started = 0;
    let recorded = 0;
    const marks: string[] = [];
    const outcome = await runClosedLoop({
      concurrency: 4,
      warmupMs: 30,
      durationMs: 60,
      onWindowStart: () => marks.push('start'),
      onWindowEnd: () => marks.push('end'),
      operation: async () => {
        started++;
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(2);
        inFlight--;
        if (started % 5 === 0) throw new Error('the fifth one fails');
        return () => void recorded++;
      },
    });
    // What an operation asks to record is recorded for the counted ones only.
    expect(recorded).toBe(outcome.completed);
    expect(marks).toEqual(['start', 'end']);
    expect(most).toBe(4);
    // Warm-up operations ran but are not counted.
    expect(outcome.completed + outcome.failed).toBeGreaterThan(0);
    expect(outcome.completed + outcome.failed).toBeLessThan(started);
    expect(outcome.latencyMs).toHaveLength(outcome.completed);
    expect(outcome.failed).toBeGreaterThan(0);
    expect(outcome.failures[0]).toBe('the fifth one fails');
    expect(outcome.failures.length).toBeLessThanOrEqual(3);
    expect(outcome.windowMs).toBe(60);
  });
});

describe('createReplyWaiters', () => {
  it('settles the waiter of a reply once, and ignores replies nobody waits for', async () => {
    const waiters = createReplyWaiters();
    const reply = waiters.wait('1', 10_000);
    expect(waiters.pending).toBe(1);
    expect(waiters.settle('2')).toBe(false);
    expect(waiters.settle('1')).toBe(true);
    await expect(reply).resolves.toBeUndefined();
    expect(waiters.settle('1')).toBe(false);
    expect(waiters.pending).toBe(0);
  });

  it('fails a waiter at its timeout and every pending one on close', async () => {
    const waiters = createReplyWaiters();
    await expect(waiters.wait('late', 5)).rejects.toThrow('no reply for job late within 5 ms');
    const pending = waiters.wait('open', 10_000);
    waiters.close('the producer stopped');
    await expect(pending).rejects.toThrow('job open: the producer stopped');
    expect(waiters.pending).toBe(0);
  });
});
