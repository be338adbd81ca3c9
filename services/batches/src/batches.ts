// Create, read, list and cancel: what the HTTP shells call. Nothing here reads the input
// lines; validation is the driver's (status `validating`), so a create answers at once.
import { GatewayError } from '@switchyard/core';
import { createStoredFile, getStoredFile, type Database, type Kysely } from '@switchyard/db';
import { sql } from 'kysely';
import { newBatchId } from './batch-id.ts';
import { toBatchRecord } from './batch-record.ts';
import { parseCompletionWindow } from './limits.ts';
import { nudgeDrivers } from './nudge.ts';
import { batchEndpoints, type BatchEngineDeps, type BatchPage, type BatchRecord, type BatchShell, type CreateBatchInput } from './types.ts';

async function* jsonlOf(lines: readonly string[]): AsyncIterable<string> {
  for (const line of lines) yield `${line.replace(/\r?\n/g, ' ')}\n`;
}

/**
 * Records a batch as `validating` and nudges the drivers. A file source must be the org's own
 * `batch` file; lines given inline are stored as a file first, so validation has one path.
 */
export async function createBatch(deps: BatchEngineDeps, input: CreateBatchInput): Promise<BatchRecord> {
  const windowSeconds = parseCompletionWindow(deps.config, input.completionWindow);
  if (windowSeconds === undefined) {
    throw new GatewayError('invalid_request', `completion_window must be '24h', got '${input.completionWindow}'`, { param: 'completion_window' });
  }
  if (!batchEndpoints.includes(input.endpoint)) {
    throw new GatewayError('invalid_request', `endpoint must be one of ${batchEndpoints.join(', ')}`, { param: 'endpoint' });
  }
  const id = newBatchId(input.shell);
  let inputFileId: string;
  if ('fileId' in input.source) {
    const file = await getStoredFile(deps.db, input.orgId, input.source.fileId);
    if (!file) throw new GatewayError('not_found', `No such File object: ${input.source.fileId}`, { param: 'input_file_id' });
    if (file.purpose !== 'batch')
      throw new GatewayError('invalid_request', `file ${file.id} has purpose '${file.purpose}', not 'batch'`, { param: 'input_file_id' });
    // Counted at upload (blank lines included): a cheap refusal at once; validation counts requests exactly.
    if (file.lineCount !== null && file.lineCount > deps.config.batches.maxLines) {
      throw new GatewayError('invalid_request', `file ${file.id} has ${file.lineCount} lines; a batch holds at most ${deps.config.batches.maxLines} requests`, {
        param: 'input_file_id',
      });
    }
    inputFileId = file.id;
  } else {
    if (input.source.lines.length === 0) throw new GatewayError('invalid_request', 'a batch needs at least one request', { param: 'requests' });
    if (input.source.lines.length > deps.config.batches.maxLines) {
      throw new GatewayError('invalid_request', `a batch holds at most ${deps.config.batches.maxLines} requests`, { param: 'requests' });
    }
    const file = await createStoredFile(deps.db, { orgId: input.orgId, purpose: 'batch', filename: `${id}.jsonl` }, jsonlOf(input.source.lines));
    inputFileId = file.id;
  }
  const createdAt = new Date();
  const row = await deps.db
    .insertInto('batches')
    .values({
      id,
      org_id: input.orgId,
      key_id: input.keyId,
      endpoint: input.endpoint,
      input_file_id: inputFileId,
      completion_window: input.completionWindow,
      status: 'validating',
      metadata: input.metadata ? JSON.stringify(input.metadata) : null,
      created_at: createdAt,
      expires_at: new Date(createdAt.getTime() + windowSeconds * 1000),
      shell: input.shell,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await nudgeDrivers(deps.redis, deps.config.redis.prefix, id, deps.logger);
  return toBatchRecord(row);
}

/** One batch of the org, or undefined (another org's batch is not found either). */
export async function getBatch(db: Kysely<Database>, orgId: string, id: string): Promise<BatchRecord | undefined> {
  const row = await db.selectFrom('batches').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row && toBatchRecord(row);
}

/**
 * The org's batches, newest first. `after`: the page older than that batch (OpenAI's `after`,
 * Anthropic's `after_id`); `before`: the page newer than it (Anthropic's `before_id`), still
 * newest first. `hasMore` says whether more lie beyond the page in the direction read.
 */
export async function listBatches(
  db: Kysely<Database>,
  orgId: string,
  options: { limit: number; after?: string; before?: string; shell?: BatchShell },
): Promise<BatchPage> {
  let query = db.selectFrom('batches').selectAll().where('org_id', '=', orgId);
  if (options.shell) query = query.where('shell', '=', options.shell);
  const cursorId = options.before ?? options.after;
  const cursor = cursorId
    ? await db.selectFrom('batches').select(['created_at', 'id']).where('org_id', '=', orgId).where('id', '=', cursorId).executeTakeFirst()
    : undefined;
  const newer = options.before !== undefined;
  if (cursor)
    query = query.where(
      newer ? sql<boolean>`(created_at, id) > (${cursor.created_at}, ${cursor.id})` : sql<boolean>`(created_at, id) < (${cursor.created_at}, ${cursor.id})`,
    );
  const direction = newer ? 'asc' : 'desc';
  const rows = await query
    .orderBy('created_at', direction)
    .orderBy('id', direction)
    .limit(options.limit + 1)
    .execute();
  const page = rows.slice(0, options.limit);
  if (newer) page.reverse();
  return { data: page.map(toBatchRecord), hasMore: rows.length > options.limit };
}

/**
 * Moves a validating or running batch to `cancelling`; the driver then drops its queued lines,
 * lets running ones finish and ends it `cancelled`. A batch past that point is returned as it is.
 */
export async function cancelBatch(deps: BatchEngineDeps, orgId: string, id: string): Promise<BatchRecord | undefined> {
  const updated = await deps.db
    .updateTable('batches')
    .set({ status: 'cancelling', cancelling_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', 'in', ['validating', 'in_progress'])
    .returningAll()
    .executeTakeFirst();
  if (!updated) return getBatch(deps.db, orgId, id);
  await nudgeDrivers(deps.redis, deps.config.redis.prefix, id, deps.logger);
  return toBatchRecord(updated);
}
