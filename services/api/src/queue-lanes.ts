import { priorityByMode, type JobMode } from '@switchyard/core';

/**
 * What a provider queue's waiting jobs are waiting as: a job mode's lane, or `delayed` (a
 * retry in backoff). Sync jobs carry no BullMQ priority (0, the plain wait list); async and
 * batch lines are prioritised behind them (`priorityByMode`).
 */
export type QueueLane = JobMode | 'delayed';

export const queueLanes: readonly QueueLane[] = ['sync', 'async', 'batch', 'delayed'];

/** The BullMQ priorities to count: 0 (no priority) and each mode's. */
export const lanePriorities: readonly number[] = [...new Set([0, ...Object.values(priorityByMode)])].sort((a, b) => a - b);

/** The lane of a waiting job's BullMQ priority: the first mode whose priority it does not exceed (0 is sync). */
export function laneOfPriority(priority: number): JobMode {
  if (priority <= priorityByMode.sync) return 'sync';
  if (priority <= priorityByMode.async) return 'async';
  return 'batch';
}

/** Waiting jobs per lane, from BullMQ's counts per priority and the delayed count; every lane present. */
export function waitingByLane(countsPerPriority: Record<string, number>, delayed: number): Record<QueueLane, number> {
  const lanes: Record<QueueLane, number> = { sync: 0, async: 0, batch: 0, delayed };
  for (const [priority, count] of Object.entries(countsPerPriority)) lanes[laneOfPriority(Number(priority))] += count;
  return lanes;
}
