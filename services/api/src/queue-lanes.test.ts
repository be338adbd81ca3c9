import { describe, expect, it } from 'vitest';
import { priorityByMode } from '@switchyard/core';
import { lanePriorities, laneOfPriority, waitingByLane } from './queue-lanes.ts';

describe('queue lanes', () => {
  it('puts a job with no priority (sync) and each mode priority in its own lane', () => {
    expect(laneOfPriority(0)).toBe('sync');
    expect(laneOfPriority(priorityByMode.sync)).toBe('sync');
    expect(laneOfPriority(priorityByMode.async)).toBe('async');
    expect(laneOfPriority(priorityByMode.batch)).toBe('batch');
  });

  it('puts a priority between two modes with the later one, and any lower priority with batch', () => {
    expect(laneOfPriority(priorityByMode.sync + 1)).toBe('async');
    expect(laneOfPriority(priorityByMode.async + 1)).toBe('batch');
    expect(laneOfPriority(priorityByMode.batch * 100)).toBe('batch');
  });

  it('counts the plain wait list and every mode priority', () => {
    expect(lanePriorities).toEqual([0, 1, 5, 10]);
  });

  it('sums counts per priority into lanes, with every lane present and delayed apart', () => {
    expect(waitingByLane({ '0': 4, '1': 1, '5': 2, '10': 30 }, 3)).toEqual({ sync: 5, async: 2, batch: 30, delayed: 3 });
    expect(waitingByLane({}, 0)).toEqual({ sync: 0, async: 0, batch: 0, delayed: 0 });
  });
});
