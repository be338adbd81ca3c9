import { sql, type Kysely, type Selectable } from 'kysely';
import { newFileId } from '@switchyard/core';
import type { Database, FilesTable } from '../schema.ts';
import { LineCounter, splitLines, type StoredFileLine } from './file-lines.ts';
import { afterCursor } from './keyset.ts';

/** A complete, visible file. `createdAt` is in epoch milliseconds. */
export type StoredFile = {
  id: string;
  orgId: string;
  purpose: string;
  filename: string;
  bytes: number;
  /** Lines as `readStoredFileLines` yields them; null when the file was stored without counting. */
  lineCount: number | null;
  createdAt: number;
  status: 'processed';
};

export type StoredFilePage = { data: StoredFile[]; hasMore: boolean };

/** Why `createStoredFile` refused a content: the route maps it to 400 or 413. Nothing is kept. */
export class StoredFileRefusedError extends Error {
  readonly reason: 'empty' | 'too_large' | 'too_many_lines';
  readonly limit: number | undefined;

  constructor(reason: StoredFileRefusedError['reason'], message: string, limit?: number) {
    super(message);
    this.name = 'StoredFileRefusedError';
    this.reason = reason;
    this.limit = limit;
  }
}

/** Bytes per stored chunk: what one insert carries, and what a reader holds per chunk. */
export const fileChunkBytes = 1024 * 1024;
/** Chunks fetched per query when reading back (4 MiB). */
const chunksPerQuery = 4;
/** An upload still `uploading` after this long died with its process; it is removed. */
const abandonedAfter = sql`interval '2 days'`;

/**
 * Stores a file from a stream, 1 MiB chunk by chunk as the bytes arrive: the content is never
 * held whole, so a 200 MB upload or a large batch output written from a generator costs about
 * one chunk of memory. The file becomes visible (get, list) only when the stream has ended;
 * over `maxBytes` or `maxLines`, or empty (unless `allowEmpty`), it throws
 * `StoredFileRefusedError` and removes what it had written. Lines are counted (`countLines`,
 * default true) as `readStoredFileLines` yields them. Chunks are written outside any
 * transaction of its own, so a long upload does not hold the one PGlite connection.
 */
export async function createStoredFile(
  db: Kysely<Database>,
  meta: { orgId: string; purpose: string; filename: string },
  content: AsyncIterable<Uint8Array | string>,
  options: {
    maxBytes?: number;
    countLines?: boolean;
    maxLines?: number;
    allowEmpty?: boolean;
    /**
     * Runs once the content is in and within limits, before the file becomes visible: it may
     * throw to refuse the file (which is then removed) or settle its purpose, for a multipart
     * upload whose `purpose` field comes after its `file`.
     */
    beforeComplete?: (summary: { bytes: number; lineCount: number | null }) => Promise<{ purpose?: string } | undefined>;
  } = {},
): Promise<StoredFile> {
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  const counter = options.countLines === false ? undefined : new LineCounter();
  await db.deleteFrom('files').where('status', '=', 'uploading').where('created_at', '<', sql<Date>`now() - ${abandonedAfter}`).execute();

  const id = newFileId();
  await db.insertInto('files').values({ id, org_id: meta.orgId, purpose: meta.purpose, filename: meta.filename, bytes: 0, status: 'uploading' }).execute();
  try {
    // One buffer, reused: each insert is awaited before the next bytes are copied in.
    const chunk = Buffer.allocUnsafe(fileChunkBytes);
    let filled = 0;
    let seq = 0;
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (filled === 0) return;
      await db
        .insertInto('file_chunks')
        .values({ file_id: id, seq, data: asBytea(chunk.subarray(0, filled)) })
        .execute();
      seq++;
      filled = 0;
    };
    for await (const piece of content) {
      const buffer = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      bytes += buffer.length;
      if (bytes > maxBytes) throw new StoredFileRefusedError('too_large', `The file is larger than ${maxBytes} bytes.`, maxBytes);
      if (counter) {
        counter.add(buffer);
        if (counter.complete > maxLines) throw tooManyLines(maxLines);
      }
      let offset = 0;
      while (offset < buffer.length) {
        const take = Math.min(fileChunkBytes - filled, buffer.length - offset);
        chunk.set(buffer.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === fileChunkBytes) await flush();
      }
    }
    await flush();
    if (bytes === 0 && !options.allowEmpty) throw new StoredFileRefusedError('empty', 'The file is empty.');
    const lineCount = counter ? counter.total() : null;
    if (lineCount !== null && lineCount > maxLines) throw tooManyLines(maxLines);
    const settled = await options.beforeComplete?.({ bytes, lineCount });
    const row = await db
      .updateTable('files')
      .set({ status: 'processed', bytes, line_count: lineCount, created_at: sql<Date>`now()`, ...(settled?.purpose ? { purpose: settled.purpose } : {}) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toStoredFile(row);
  } catch (error) {
    // Chunks go with their file (on delete cascade). If this fails too, the row stays invisible.
    await db
      .deleteFrom('files')
      .where('id', '=', id)
      .execute()
      .catch(() => {});
    throw error;
  }
}

function tooManyLines(maxLines: number): StoredFileRefusedError {
  return new StoredFileRefusedError('too_many_lines', `The file has more than ${maxLines} lines.`, maxLines);
}

/** The complete file with this id in this org; another org's file, or one still uploading, is absent. */
export async function getStoredFile(db: Kysely<Database>, orgId: string, id: string): Promise<StoredFile | undefined> {
  const row = await db.selectFrom('files').selectAll().where('org_id', '=', orgId).where('id', '=', id).where('status', '=', 'processed').executeTakeFirst();
  return row && toStoredFile(row);
}

/** A page of the org's complete files, newest first unless `order: 'asc'`; `after` is the last id of the previous page. */
export async function listStoredFiles(
  db: Kysely<Database>,
  orgId: string,
  options: { purpose?: string; limit: number; after?: string; order?: 'asc' | 'desc' },
): Promise<StoredFilePage> {
  const order = options.order ?? 'desc';
  let query = db.selectFrom('files').selectAll().where('org_id', '=', orgId).where('status', '=', 'processed');
  if (options.purpose) query = query.where('purpose', '=', options.purpose);
  if (options.after) {
    const after = options.after;
    const cursor = db.selectFrom('files').select('created_at').where('org_id', '=', orgId).where('id', '=', after);
    // Ties on created_at are broken by id ascending in both orders; an unknown cursor matches nothing.
    query = query.where(afterCursor(cursor, after, order));
  }
  const rows = await query
    .orderBy('created_at', order)
    .orderBy('id', 'asc')
    .limit(options.limit + 1)
    .execute();
  return { data: rows.slice(0, options.limit).map(toStoredFile), hasMore: rows.length > options.limit };
}

/** Deletes the org's complete file and its chunks; false when there was none to delete. */
export async function deleteStoredFile(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('files').where('org_id', '=', orgId).where('id', '=', id).where('status', '=', 'processed').executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * The file's bytes, chunk by chunk in order, fetching a few chunks per query: memory stays at
 * a few MiB whatever the file's size. The caller has checked the file (org, visibility).
 */
export async function* readStoredFileBytes(db: Kysely<Database>, fileId: string): AsyncIterable<Buffer> {
  let next = 0;
  for (;;) {
    const rows = await db
      .selectFrom('file_chunks')
      .select(['seq', 'data'])
      .where('file_id', '=', fileId)
      .where('seq', '>=', next)
      .orderBy('seq')
      .limit(chunksPerQuery)
      .execute();
    for (const row of rows) yield asBuffer(row.data);
    if (rows.length < chunksPerQuery) return;
    next = rows[rows.length - 1]!.seq + 1;
  }
}

/**
 * The file's lines in order (see `splitLines`: CRLF and a missing final newline handled, blank
 * lines yielded with their index, no empty line after a final newline). UTF-8 safe across chunks.
 */
export function readStoredFileLines(db: Kysely<Database>, fileId: string): AsyncIterable<StoredFileLine> {
  return splitLines(readStoredFileBytes(db, fileId));
}

/**
 * The chunk as a base64 text parameter decoded by the server. Given a binary parameter,
 * PGlite's serializer made ~40 MB of JS heap per 1 MiB chunk (measured: api RSS near 670 MB
 * for a 200 MB upload); one native base64 string per chunk keeps it near idle. pg would
 * send a Buffer as binary, but base64 costs it little (measured) and one path serves both.
 * Reading needs no such care: both engines return bytea cheaply.
 */
function asBytea(data: Buffer) {
  return sql<Uint8Array>`decode(${data.toString('base64')}, 'base64')`;
}

// pg gives a Buffer, PGlite a plain Uint8Array: both become a Buffer over the same memory.
function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function toStoredFile(row: Selectable<FilesTable>): StoredFile {
  return {
    id: row.id,
    orgId: row.org_id,
    purpose: row.purpose,
    filename: row.filename,
    bytes: Number(row.bytes),
    lineCount: row.line_count,
    createdAt: row.created_at.getTime(),
    status: 'processed',
  };
}
