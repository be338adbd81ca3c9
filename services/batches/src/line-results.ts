// One finished line as the shells and the output/error files tell it.
import type { ErrorBody } from '@switchyard/core';
import { batchLineRequestId, type Database, type Kysely } from '@switchyard/db';
import { renderAnthropicError, renderOpenAIError } from '@switchyard/formats';
import { sql } from 'kysely';
import type { BatchLineResult, BatchShell } from './types.ts';

/** Final line statuses; `pending` and `queued` lines are still running. */
export const finalLineStatuses = ['invalid', 'completed', 'failed', 'cancelled', 'expired'] as const;

type LineWithJob = {
  line_index: number;
  custom_id: string | null;
  status: string;
  error: unknown;
  job_status: string | null;
  job_output: unknown;
  job_error: unknown;
};

const engineErrors = {
  cancelled: { code: 'batch_cancelled', message: 'This request was not run: the batch was cancelled.' },
  expired: { code: 'batch_expired', message: 'This request could not be run before the batch expired.' },
} as const;

function resultOf(batchId: string, shell: BatchShell, line: LineWithJob): BatchLineResult {
  const requestId = batchLineRequestId(batchId, line.line_index);
  const base = { index: line.line_index, customId: line.custom_id, requestId };
  const jobError = line.job_error as ErrorBody | null;
  switch (line.status) {
    case 'completed':
      return { ...base, outcome: 'succeeded', statusCode: 200, body: line.job_output ?? null, error: null };
    case 'failed': {
      if (!jobError) {
        const error = (line.error as { code: string; message: string } | null) ?? { code: 'internal_error', message: 'the request failed' };
        return { ...base, outcome: 'errored', statusCode: null, body: null, error: { code: error.code, message: error.message } };
      }
      const body = shell === 'anthropic' ? renderAnthropicError(jobError) : renderOpenAIError(jobError);
      return { ...base, outcome: 'errored', statusCode: jobError.status, body, error: { code: jobError.code, message: jobError.message } };
    }
    case 'invalid': {
      const error = line.error as { code: string; message: string } | ErrorBody;
      if ('status' in error && typeof error.status === 'number') {
        // The endpoint's own validation refused the body: told as the sync endpoint answers it.
        const body = shell === 'anthropic' ? renderAnthropicError(error) : renderOpenAIError(error);
        return { ...base, outcome: 'errored', statusCode: error.status, body, error: { code: error.code, message: error.message } };
      }
      return { ...base, outcome: 'errored', statusCode: null, body: null, error: { code: error.code, message: error.message } };
    }
    case 'cancelled':
      return { ...base, outcome: 'canceled', statusCode: null, body: null, error: { ...engineErrors.cancelled } };
    default:
      return { ...base, outcome: 'expired', statusCode: null, body: null, error: { ...engineErrors.expired } };
  }
}

const pageLines = 500;

/**
 * Every final line of a batch in line order, with its job's result, read from Postgres a
 * page at a time (never the whole batch in memory). `outcomes` narrows to some outcomes at
 * the database (the output file reads only the succeeded lines).
 */
export async function* readLineResults(
  db: Kysely<Database>,
  batchId: string,
  shell: BatchShell,
  options: { statuses?: readonly string[] } = {},
): AsyncIterable<BatchLineResult> {
  const statuses = options.statuses ?? finalLineStatuses;
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom('batch_lines as line')
      .leftJoin('jobs as job', (join) => join.on('job.id', '=', sql<string>`line.batch_id || '-' || line.line_index::text`))
      .select([
        'line.line_index',
        'line.custom_id',
        'line.status',
        'line.error',
        'job.status as job_status',
        'job.output as job_output',
        'job.error as job_error',
      ])
      .where('line.batch_id', '=', batchId)
      .where('line.line_index', '>', after)
      .where('line.status', 'in', statuses)
      .orderBy('line.line_index')
      .limit(pageLines)
      .execute();
    for (const row of rows) yield resultOf(batchId, shell, row);
    if (rows.length < pageLines) return;
    after = rows[rows.length - 1]!.line_index;
  }
}
