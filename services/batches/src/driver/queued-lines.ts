// The lines of a batch that are on the provider queues: where each one is, and dropping
// those no worker holds (cancel, expiry).
import { GatewayError, routeJobId, type InferenceJobData, type JobOutcome } from '@switchyard/core';
import { closeBatchLines, type BatchRow, type FinalLineStatus } from '@switchyard/db';
import type { InferenceQueues } from '@switchyard/queue';
import type { BatchEngineDeps } from '../types.ts';

/** Where a queued line's request is: not started, running, finished (the ledger closes it), gone, or failed without an outcome. */
type LinePlace = 'waiting' | 'running' | 'finished' | 'missing' | 'failed';

const waitingStates = new Set(['waiting', 'prioritized', 'delayed', 'waiting-children', 'paused']);

/** Follows the line's request along its route chain (forwards) to the job that holds it now. */
async function placeOf(queues: InferenceQueues, data: InferenceJobData): Promise<{ place: LinePlace; remove?: () => Promise<boolean> }> {
  for (let routeIndex = 0; routeIndex < data.routes.length; routeIndex++) {
    const queue = queues.get(data.routes[routeIndex]!.provider);
    const id = routeJobId(data.requestId, routeIndex);
    const job = await queue.getJob(id);
    if (!job) return { place: routeIndex === 0 ? 'missing' : 'finished' };
    const state = await job.getState();
    if (waitingStates.has(state)) return { place: 'waiting', remove: async () => (await queue.remove(id)) === 1 };
    if (state === 'active') return { place: 'running' };
    if (state === 'failed') return { place: 'failed' };
    const outcome = job.returnvalue as JobOutcome | null;
    if (state === 'completed' && outcome?.status === 'forwarded') continue;
    return { place: 'finished' };
  }
  return { place: 'finished' };
}

/**
 * Closes queued lines that will never run: with `dropAs` (cancel, expiry), every line no
 * worker holds is removed from its queue and closed with that status; always, a line whose
 * job BullMQ failed without an outcome (no ledger record will come) is closed `failed`.
 * Running lines are left to finish. Returns the lines still open on the queues.
 */
export async function settleQueuedLines(deps: BatchEngineDeps, queues: InferenceQueues, batch: BatchRow, dropAs?: 'cancelled' | 'expired'): Promise<number> {
  const lines = await deps.db
    .selectFrom('batch_lines')
    .select(['line_index', 'job'])
    .where('batch_id', '=', batch.id)
    .where('status', '=', 'queued')
    .orderBy('line_index')
    .execute();
  const close: Record<FinalLineStatus, number[]> = { completed: [], failed: [], cancelled: [], expired: [] };
  const settle = async (line: (typeof lines)[number]) => {
    const { place, remove } = await placeOf(queues, line.job as InferenceJobData);
    if (place === 'failed') close.failed.push(line.line_index);
    else if (dropAs && place === 'missing') close[dropAs].push(line.line_index);
    else if (dropAs && place === 'waiting' && remove && (await remove())) close[dropAs].push(line.line_index);
  };
  // A hundred lines' lookups in flight at a time: a full window is a few round trips, not a thousand.
  for (let start = 0; start < lines.length; start += 100) await Promise.all(lines.slice(start, start + 100).map(settle));
  const failure = new GatewayError('internal_error', 'the job failed in the worker').toBody();
  await closeBatchLines(deps.db, batch.id, close.failed, 'failed', { code: failure.code, message: failure.message });
  if (dropAs) await closeBatchLines(deps.db, batch.id, close[dropAs], dropAs);
  return lines.length - close.failed.length - (dropAs ? close[dropAs].length : 0);
}

/** Closes every line not fed yet with `status` (cancel, expiry): they never reach a queue. */
export async function closePendingLines(deps: BatchEngineDeps, batch: BatchRow, status: 'cancelled' | 'expired'): Promise<void> {
  for (;;) {
    const lines = await deps.db
      .selectFrom('batch_lines')
      .select('line_index')
      .where('batch_id', '=', batch.id)
      .where('status', '=', 'pending')
      .limit(5000)
      .execute();
    if (lines.length === 0) return;
    await closeBatchLines(
      deps.db,
      batch.id,
      lines.map((line) => line.line_index),
      status,
    );
  }
}
