import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, JobRow } from '../schema.ts';

/** Line statuses a job result may still replace: the line waits to be fed, or is on a queue. */
export const openBatchLineStatuses = ['pending', 'queued'] as const;

const countColumnOf = { completed: 'completed', failed: 'failed', cancelled: 'cancelled', expired: 'expired' } as const;
export type FinalLineStatus = keyof typeof countColumnOf;

/** `<batch id>-<line index>`: the request (and route-0 job) id of one batch line. */
export const batchLineRequestId = (batchId: string, lineIndex: number): string => `${batchId}-${lineIndex}`;

/** What counting a finished batch line needs of its job. */
type FinishedLineJob = Pick<JobRow, 'id' | 'batch_id' | 'status'>;

function lineIndexOf(row: FinishedLineJob): number | undefined {
  if (!row.batch_id || !row.id.startsWith(`${row.batch_id}-`)) return undefined;
  const index = Number(row.id.slice(row.batch_id.length + 1));
  return Number.isSafeInteger(index) && index >= 0 ? index : undefined;
}

/**
 * Called by the ledger in the transaction that made these batch-line jobs final (each job is
 * handed over once in its life): moves each still-open line to its job's final status and the
 * batch's `request_counts` by exactly the lines that moved, so the counts are live and a replay
 * or a line already closed by the engine (cancelled before it ran) counts nothing twice.
 */
export async function countFinishedBatchLines(transaction: Transaction<Database> | Kysely<Database>, rows: readonly FinishedLineJob[]): Promise<number> {
  const groups = new Map<string, { batchId: string; status: FinalLineStatus; indexes: number[] }>();
  for (const row of rows) {
    const index = lineIndexOf(row);
    if (index === undefined || !(row.status in countColumnOf)) continue;
    const status = row.status as FinalLineStatus;
    const key = `${row.batch_id}\n${status}`;
    const group = groups.get(key) ?? { batchId: row.batch_id!, status, indexes: [] };
    group.indexes.push(index);
    groups.set(key, group);
  }
  let moved = 0;
  for (const { batchId, status, indexes } of groups.values()) moved += await closeBatchLines(transaction, batchId, indexes, status);
  return moved;
}

/**
 * Closes still-open lines of one batch with a final status (the job's, or the engine's own
 * when it drops a line that never ran) and moves the batch's count of that status by exactly
 * the lines closed here. Lines already final are left alone, so a repeat closes nothing.
 */
export async function closeBatchLines(
  transaction: Transaction<Database> | Kysely<Database>,
  batchId: string,
  indexes: readonly number[],
  status: FinalLineStatus,
  error?: { code: string; message: string },
): Promise<number> {
  if (indexes.length === 0) return 0;
  const updated = await transaction
    .updateTable('batch_lines')
    .set(error ? { status, error: JSON.stringify(error) } : { status })
    .where('batch_id', '=', batchId)
    .where('line_index', 'in', indexes)
    .where('status', 'in', openBatchLineStatuses)
    .returning('line_index')
    .execute();
  if (updated.length === 0) return 0;
  const column = countColumnOf[status];
  await transaction
    .updateTable('batches')
    .set({ [column]: sql<number>`${sql.ref(column)} + ${updated.length}` })
    .where('id', '=', batchId)
    .execute();
  return updated.length;
}
