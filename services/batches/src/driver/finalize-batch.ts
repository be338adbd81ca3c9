// The end of a batch whose every line is final: the output and error files streamed from
// Postgres into stored files, the usage totals, then the terminal status (and its event).
import { createStoredFile, type BatchRow } from '@switchyard/db';
import { sql } from 'kysely';
import { renderOpenAiResultLine } from '@switchyard/formats';
import { readLineResults } from '../line-results.ts';
import type { BatchEngineDeps, BatchShell, BatchStatus } from '../types.ts';
import { endBatch } from './end-batch.ts';

const outputStatuses = ['completed'] as const;
const errorStatuses = ['invalid', 'failed', 'cancelled', 'expired'] as const;

async function* fileLines(deps: BatchEngineDeps, batch: BatchRow, statuses: readonly string[]): AsyncIterable<string> {
  for await (const result of readLineResults(deps.db, batch.id, batch.shell as BatchShell, { statuses }))
    yield `${JSON.stringify(renderOpenAiResultLine(batch.id, result))}\n`;
}

/**
 * Writes one of the two files unless it is written already (a finalize cut by a crash
 * resumes without a second copy) or would be empty; the file id is kept on the batch at once.
 */
async function writeFile(deps: BatchEngineDeps, batch: BatchRow, kind: 'output' | 'error'): Promise<string | null> {
  const column = kind === 'output' ? 'output_file_id' : 'error_file_id';
  if (batch[column]) return batch[column];
  const statuses = kind === 'output' ? outputStatuses : errorStatuses;
  const any = await deps.db
    .selectFrom('batch_lines')
    .select('line_index')
    .where('batch_id', '=', batch.id)
    .where('status', 'in', statuses)
    .limit(1)
    .executeTakeFirst();
  if (!any) return null;
  const file = await createStoredFile(
    deps.db,
    { orgId: batch.org_id, purpose: 'batch_output', filename: `${batch.id}_${kind}.jsonl` },
    fileLines(deps, batch, statuses),
  );
  await deps.db
    .updateTable('batches')
    .set({ [column]: file.id })
    .where('id', '=', batch.id)
    .execute();
  return file.id;
}

/** Which terminal status a batch whose lines are all final ends in. */
function endingOf(batch: BatchRow): 'completed' | 'cancelled' | 'expired' {
  if (batch.cancelling_at !== null) return 'cancelled';
  return batch.expired > 0 ? 'expired' : 'completed';
}

/**
 * Finalizes: a batch ending `completed` passes through `finalizing` while its files are
 * written (a cancelled or expired one stays in its state meanwhile, as OpenAI's do).
 */
export async function finalizeBatch(deps: BatchEngineDeps, batch: BatchRow): Promise<void> {
  const ending = endingOf(batch);
  let from: BatchStatus = batch.status as BatchStatus;
  if (ending === 'completed' && from === 'in_progress') {
    const moved = await deps.db
      .updateTable('batches')
      .set({ status: 'finalizing', finalizing_at: new Date() })
      .where('id', '=', batch.id)
      .where('status', '=', 'in_progress')
      .executeTakeFirst();
    if (moved.numUpdatedRows === 0n) return;
    from = 'finalizing';
  }
  const outputFileId = await writeFile(deps, batch, 'output');
  const errorFileId = await writeFile(deps, batch, 'error');
  const totals = await deps.db
    .selectFrom('jobs')
    .select([
      sql<string>`coalesce(sum((usage->>'inputTokens')::bigint), 0)`.as('input'),
      sql<string>`coalesce(sum((usage->>'outputTokens')::bigint), 0)`.as('output'),
      sql<string>`coalesce(sum(cost_usd), 0)::text`.as('cost'),
    ])
    .where('batch_id', '=', batch.id)
    .executeTakeFirstOrThrow();
  const input = Number(totals.input);
  const output = Number(totals.output);
  await endBatch(deps, batch.id, [from], ending, {
    output_file_id: outputFileId,
    error_file_id: errorFileId,
    usage: JSON.stringify({ input_tokens: input, output_tokens: output, total_tokens: input + output }),
    cost_usd: totals.cost,
  });
}
