import { routeJobId, type InferenceJobData } from '@switchyard/core';
import type { BatchRow } from '@switchyard/db';
import type { InferenceQueues } from '@switchyard/queue';
import type { BatchEngineDeps } from '../types.ts';

/**
 * Removes the Redis jobs of lines the ledger has closed (their result is in Postgres now),
 * so a 50,000-line batch leaves at most its window of jobs in Redis instead of every finished
 * one for `jobs.retentionSeconds`. A line's job is only removed once it is final in Postgres,
 * which is what lets a queued line's missing job mean "never ran". Returns the lines cleaned.
 */
export async function cleanFinishedLines(deps: BatchEngineDeps, queues: InferenceQueues, batch: BatchRow, limit: number): Promise<number> {
  const lines = await deps.db
    .selectFrom('batch_lines')
    .select(['line_index', 'job'])
    .where('batch_id', '=', batch.id)
    .where('status', 'in', ['completed', 'failed', 'cancelled', 'expired'])
    .where('cleaned', '=', false)
    .where('job', 'is not', null)
    .limit(limit)
    .execute();
  if (lines.length === 0) return 0;
  await Promise.all(
    lines.flatMap((line) => {
      const data = line.job as InferenceJobData;
      return data.routes.map((route, routeIndex) => queues.get(route.provider).remove(routeJobId(data.requestId, routeIndex)));
    }),
  );
  await deps.db
    .updateTable('batch_lines')
    .set({ cleaned: true })
    .where('batch_id', '=', batch.id)
    .where(
      'line_index',
      'in',
      lines.map((line) => line.line_index),
    )
    .execute();
  return lines.length;
}
