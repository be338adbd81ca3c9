import type { BatchRow } from '@switchyard/db';
import type { InferenceQueues } from '@switchyard/queue';
import { sql } from 'kysely';
import type { BatchEngineDeps } from '../types.ts';
import type { BatchLock } from './batch-lock.ts';
import { orgWithinBudget } from './budget-gate.ts';
import { cleanFinishedLines } from './clean-lines.ts';
import { feedBatch } from './feed-batch.ts';
import { finalizeBatch } from './finalize-batch.ts';
import { closePendingLines, settleQueuedLines } from './queued-lines.ts';
import { validateBatch } from './validate-batch.ts';

export type StepContext = {
  deps: BatchEngineDeps;
  queues: InferenceQueues;
  lock: BatchLock;
  /** Whether queued lines should be inspected for jobs that failed without an outcome (throttled by the driver). */
  inspectQueued: boolean;
};

async function openLines(context: StepContext, batch: BatchRow): Promise<number> {
  const open = await context.deps.db
    .selectFrom('batch_lines')
    .select(sql<string>`count(*)`.as('count'))
    .where('batch_id', '=', batch.id)
    .where('status', 'in', ['pending', 'queued'])
    .executeTakeFirstOrThrow();
  return Number(open.count);
}

/**
 * One step of one batch, by its status: validate; feed the window while the org is within
 * its monthly budget (or, past its expiry or
 * when cancelling, close what has not run); clean finished lines' jobs out of Redis; and
 * finalize once every line is final. Every part is idempotent, so a step cut by a crash is
 * simply taken again by the next driver.
 */
export async function stepBatch(context: StepContext, batch: BatchRow): Promise<void> {
  const { deps, queues } = context;
  if (batch.status === 'validating' || (batch.status === 'cancelling' && batch.validated_at === null)) {
    await validateBatch(deps, batch, context.lock);
    return;
  }
  if (batch.status === 'finalizing') return finalizeBatch(deps, batch);
  const expired = batch.status === 'in_progress' && batch.expires_at !== null && batch.expires_at.getTime() <= Date.now();
  const dropAs = batch.status === 'cancelling' ? 'cancelled' : expired ? 'expired' : undefined;
  if (dropAs) {
    await closePendingLines(deps, batch, dropAs);
    await settleQueuedLines(deps, queues, batch, dropAs);
  } else {
    if (context.inspectQueued) await settleQueuedLines(deps, queues, batch);
    if (await orgWithinBudget(deps, batch.org_id)) await feedBatch(deps, queues, batch);
  }
  await cleanFinishedLines(deps, queues, batch, deps.config.batches.chunkLines * 4);
  if ((await openLines(context, batch)) > 0) return;
  // Re-read: the counts the finalize reports were moved by the ledger meanwhile.
  const current = await deps.db.selectFrom('batches').selectAll().where('id', '=', batch.id).executeTakeFirstOrThrow();
  if (current.status === 'in_progress' || current.status === 'cancelling') {
    await cleanFinishedLines(deps, queues, current, Number.MAX_SAFE_INTEGER);
    await finalizeBatch(deps, current);
  }
}
