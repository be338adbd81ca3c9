// Validation, by the driver: streams the input file's lines, checks each, and stores every
// line (valid or not) in `batch_lines`, a chunk per transaction, resuming where a crash cut
// it (`batches.validated`). A bad line fails alone; an input with no usable JSONL at all, or
// too many lines, fails the batch.
import { getStoredFile, readStoredFileLines, type BatchRow } from '@switchyard/db';
import { sql } from 'kysely';
import type { BatchEngineDeps, BatchEndpoint, BatchShell } from '../types.ts';
import type { BatchLock } from './batch-lock.ts';
import { endBatch } from './end-batch.ts';
import { validateLine, type LineContext, type LineError, type ValidatedLine } from './validate-line.ts';

type PendingLine = { index: number; text: string };

/** Validates what is left of a batch's input; leaves it `in_progress` (or still `cancelling`) or `failed`. */
export async function validateBatch(deps: BatchEngineDeps, batch: BatchRow, lock: BatchLock): Promise<void> {
  const fail = (code: string, message: string) =>
    endBatch(deps, batch.id, ['validating', 'cancelling'], 'failed', { errors: JSON.stringify([{ code, message }]), validated_at: new Date() });
  const file = batch.input_file_id ? await getStoredFile(deps.db, batch.org_id, batch.input_file_id) : undefined;
  if (!file) return void (await fail('file_not_found', `the input file ${batch.input_file_id} no longer exists`));
  const maxLines = deps.config.batches.maxLines;
  const context: LineContext = {
    config: deps.config,
    batchId: batch.id,
    orgId: batch.org_id,
    keyId: batch.key_id,
    endpoint: batch.endpoint as BatchEndpoint,
    shell: batch.shell as BatchShell,
    createdAt: batch.created_at.getTime(),
    expiresAt: batch.expires_at?.getTime() ?? Number.MAX_SAFE_INTEGER,
  };
  let total = batch.total;
  let chunk: PendingLine[] = [];
  let readUpTo = batch.validated;
  const flush = async () => {
    total += await storeChunk(deps, context, chunk, readUpTo);
    chunk = [];
    if (!(await lock.extend())) throw new Error(`lost the lock of batch ${batch.id} while validating`);
  };
  for await (const line of readStoredFileLines(deps.db, file.id)) {
    if (line.index < batch.validated) continue;
    readUpTo = line.index + 1;
    if (line.text.trim() === '') continue;
    if (total + chunk.length >= maxLines) {
      return void (await fail('too_many_lines', `the input file has more than ${maxLines} requests; a batch holds at most ${maxLines}`));
    }
    chunk.push(line);
    if (chunk.length >= deps.config.batches.chunkLines) await flush();
  }
  await flush();

  const counted = await deps.db
    .selectFrom('batch_lines')
    .select([sql<string>`count(*)`.as('lines'), sql<string>`count(*) filter (where status <> 'invalid' or error->>'code' <> 'invalid_json')`.as('json')])
    .where('batch_id', '=', batch.id)
    .executeTakeFirstOrThrow();
  if (Number(counted.lines) === 0) return void (await fail('empty_file', 'the input file has no requests'));
  if (Number(counted.json) === 0) return void (await fail('invalid_file', 'the input file is not JSONL: no line is a JSON object'));
  const now = new Date();
  await deps.db
    .updateTable('batches')
    .set((update) => ({
      validated_at: now,
      status: sql`case when ${update.ref('status')} = 'validating' then 'in_progress' else ${update.ref('status')} end`,
      in_progress_at: sql`case when ${update.ref('status')} = 'validating' then ${now} else ${update.ref('in_progress_at')} end`,
    }))
    .where('id', '=', batch.id)
    .where('status', 'in', ['validating', 'cancelling'])
    .execute();
  deps.logger.info({ batchId: batch.id, lines: Number(counted.lines) }, 'batch validated');
}

/**
 * Checks and stores one chunk, and moves the batch's `validated` mark and `total` with it, in
 * one transaction; returns the lines it inserted (0 on a replay after a crash).
 */
async function storeChunk(deps: BatchEngineDeps, context: LineContext, chunk: PendingLine[], readUpTo: number): Promise<number> {
  const checked: ValidatedLine[] = chunk.map((line) => validateLine(context, line.index, line.text));
  return deps.db.transaction().execute(async (transaction) => {
    if (chunk.length === 0) {
      await transaction.updateTable('batches').set({ validated: readUpTo }).where('id', '=', context.batchId).execute();
      return 0;
    }
    const ids = [...new Set(checked.flatMap((line) => (line.customId !== null && 'job' in line ? [line.customId] : [])))];
    const taken = new Set(
      ids.length === 0
        ? []
        : (
            await transaction
              .selectFrom('batch_lines')
              .select('custom_id')
              .where('batch_id', '=', context.batchId)
              .where('custom_id', 'in', ids)
              .where('status', '<>', 'invalid')
              .where('line_index', '<', chunk[0]!.index)
              .execute()
          ).map((row) => row.custom_id),
    );
    const rows = checked.map((line) => {
      if ('job' in line && line.customId !== null) {
        if (taken.has(line.customId)) {
          return invalidRow(context.batchId, line.index, line.customId, {
            code: 'duplicate_custom_id',
            message: `custom_id ${JSON.stringify(line.customId)} is used by an earlier line of this batch`,
            param: 'custom_id',
          });
        }
        taken.add(line.customId);
        return {
          batch_id: context.batchId,
          line_index: line.index,
          custom_id: line.customId,
          status: 'pending',
          job: JSON.stringify(line.job),
          provider: line.job.routes[0]!.provider,
          error: null,
        };
      }
      return invalidRow(context.batchId, line.index, line.customId, 'error' in line ? line.error : { code: 'invalid_request', message: 'invalid line' });
    });
    const inserted = await transaction
      .insertInto('batch_lines')
      .values(rows)
      .onConflict((conflict) => conflict.columns(['batch_id', 'line_index']).doNothing())
      .returning(['line_index', 'status'])
      .execute();
    const invalid = inserted.filter((row) => row.status === 'invalid').length;
    await transaction
      .updateTable('batches')
      .set((update) => ({
        validated: readUpTo,
        total: sql`${update.ref('total')} + ${inserted.length}`,
        failed: sql`${update.ref('failed')} + ${invalid}`,
      }))
      .where('id', '=', context.batchId)
      .execute();
    return inserted.length;
  });
}

function invalidRow(batchId: string, index: number, customId: string | null, error: LineError) {
  return { batch_id: batchId, line_index: index, custom_id: customId, status: 'invalid', job: null, provider: null, error: JSON.stringify(error) };
}
