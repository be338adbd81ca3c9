import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../test-engines.ts';
import {
  createStoredFile,
  deleteStoredFile,
  fileChunkBytes,
  getStoredFile,
  listStoredFiles,
  readStoredFileBytes,
  readStoredFileLines,
  StoredFileRefusedError,
} from './files.ts';
import { createOrg } from './orgs.ts';

async function* piecesOf(...pieces: (string | Uint8Array)[]): AsyncIterable<string | Uint8Array> {
  for (const piece of pieces) yield piece;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe.each(engines)('stored files on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;
  let orgId: string;
  let otherOrgId: string;
  const meta = () => ({ orgId, purpose: 'batch', filename: 'input.jsonl' });

  beforeAll(async () => {
    handle = await engine.open();
    orgId = (await createOrg(handle.db, { name: 'files' })).id;
    otherOrgId = (await createOrg(handle.db, { name: 'other' })).id;
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  const chunkCount = async (fileId: string) =>
    Number(
      (
        await handle.db
          .selectFrom('file_chunks')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('file_id', '=', fileId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('stores a multi-chunk file and reads the same bytes back, chunk by chunk', async () => {
    const size = fileChunkBytes * 2 + 12_345;
    const source = Buffer.alloc(size);
    for (let index = 0; index < size; index++) source[index] = (index * 7 + 3) % 256;
    // Odd piece sizes, so pieces straddle chunk boundaries.
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < size; offset += 333_333) pieces.push(source.subarray(offset, offset + 333_333));
    const file = await createStoredFile(handle.db, { ...meta(), purpose: 'user_data', filename: 'blob.bin' }, piecesOf(...pieces), { countLines: false });
    expect(file).toMatchObject({ orgId, purpose: 'user_data', filename: 'blob.bin', bytes: size, lineCount: null, status: 'processed' });
    expect(file.id).toMatch(/^file-[0-9A-Za-z]{24}$/);
    expect(await chunkCount(file.id)).toBe(3);
    const chunks = await collect(readStoredFileBytes(handle.db, file.id));
    expect(chunks.map((chunk) => chunk.length)).toEqual([fileChunkBytes, fileChunkBytes, 12_345]);
    expect(Buffer.concat(chunks).equals(source)).toBe(true);
    expect(await getStoredFile(handle.db, orgId, file.id)).toEqual(file);
  });

  it('splits lines across chunk boundaries inside a line and inside a multi-byte character', async () => {
    // The euro sign (3 bytes) starts 1 byte before the first 1 MiB boundary.
    const prefix = '{"custom_id":"a","text":"héllo ';
    const line0 = `${prefix}${'x'.repeat(fileChunkBytes - 1 - Buffer.byteLength(prefix))}€"}`;
    const second = '{"custom_id":"b","text":"😀 ünïcode"}';
    const bytes = Buffer.from(`${line0}\n${second}\r\n\r\n   \nlast without newline ü`, 'utf8');
    expect(bytes.subarray(fileChunkBytes - 1, fileChunkBytes + 2).toString('utf8')).toBe('€');
    // The bytes are fed 1 byte, then the rest in two uneven pieces.
    const file = await createStoredFile(handle.db, meta(), piecesOf(bytes.subarray(0, 1), bytes.subarray(1, 700_001), bytes.subarray(700_001)));
    expect(file.lineCount).toBe(5);
    const lines = await collect(readStoredFileLines(handle.db, file.id));
    expect(lines).toEqual([
      { index: 0, text: line0 },
      { index: 1, text: second },
      { index: 2, text: '' },
      { index: 3, text: '   ' },
      { index: 4, text: 'last without newline ü' },
    ]);
  });

  it('splits a CRLF pair cut by a chunk boundary, ignores the empty remainder after a final newline, drops a BOM', async () => {
    const firstLine = `\uFEFF${'y'.repeat(fileChunkBytes - 4)}\r`;
    const file = await createStoredFile(handle.db, meta(), piecesOf(`${firstLine}\n`, 'two\r\n', 'three\n'));
    expect(Buffer.byteLength(firstLine)).toBe(fileChunkBytes);
    expect(file.lineCount).toBe(3);
    const lines = await collect(readStoredFileLines(handle.db, file.id));
    expect(lines.map((line) => line.text)).toEqual(['y'.repeat(fileChunkBytes - 4), 'two', 'three']);
  });

  it('refuses an empty file and keeps nothing', async () => {
    const before = await handle.db.selectFrom('files').select('id').execute();
    const refused = await createStoredFile(handle.db, meta(), piecesOf()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StoredFileRefusedError);
    expect((refused as StoredFileRefusedError).reason).toBe('empty');
    expect(await handle.db.selectFrom('files').select('id').execute()).toEqual(before);
    const allowed = await createStoredFile(handle.db, { ...meta(), purpose: 'batch_output' }, piecesOf(), { allowEmpty: true });
    expect(allowed).toMatchObject({ bytes: 0, lineCount: 0 });
    expect(await collect(readStoredFileBytes(handle.db, allowed.id))).toEqual([]);
  });

  it('stops at maxBytes and maxLines with a typed error, removing the partial upload', async () => {
    let pulled = 0;
    async function* endless(): AsyncIterable<Uint8Array> {
      for (;;) {
        pulled++;
        yield Buffer.alloc(256 * 1024, 'a');
      }
    }
    const tooLarge = await createStoredFile(handle.db, meta(), endless(), { maxBytes: 3 * fileChunkBytes }).catch((error: unknown) => error);
    expect(tooLarge).toMatchObject({ reason: 'too_large', limit: 3 * fileChunkBytes });
    expect(pulled).toBe(13);

    const tooManyStreaming = await createStoredFile(handle.db, meta(), piecesOf('a\nb\n', 'c\nd\n'), { maxLines: 3 }).catch((error: unknown) => error);
    expect(tooManyStreaming).toMatchObject({ reason: 'too_many_lines', limit: 3 });
    const tooManyAtEnd = await createStoredFile(handle.db, meta(), piecesOf('a\nb\nc\nd'), { maxLines: 3 }).catch((error: unknown) => error);
    expect(tooManyAtEnd).toMatchObject({ reason: 'too_many_lines' });
    const exactly = await createStoredFile(handle.db, meta(), piecesOf('a\nb\nc\n'), { maxLines: 3 });
    expect(exactly.lineCount).toBe(3);

    const leftovers = await handle.db.selectFrom('files').select('id').where('status', '!=', 'processed').execute();
    expect(leftovers).toEqual([]);
    const orphanChunks = await handle.db
      .selectFrom('file_chunks')
      .select('file_id')
      .where('file_id', 'not in', handle.db.selectFrom('files').select('id'))
      .execute();
    expect(orphanChunks).toEqual([]);
  });

  it('removes a failed stream and never shows an upload in progress', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slow(): AsyncIterable<string> {
      yield 'first line\n';
      await gate;
      throw new Error('client went away');
    }
    const pending = createStoredFile(handle.db, { ...meta(), purpose: 'slow' }, slow()).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const uploading = await handle.db.selectFrom('files').select(['id', 'status']).where('purpose', '=', 'slow').execute();
    expect(uploading.map((row) => row.status)).toEqual(['uploading']);
    expect((await listStoredFiles(handle.db, orgId, { purpose: 'slow', limit: 10 })).data).toEqual([]);
    expect(await getStoredFile(handle.db, orgId, uploading[0]!.id)).toBeUndefined();
    release();
    expect(((await pending) as Error).message).toBe('client went away');
    expect(await handle.db.selectFrom('files').select('id').where('purpose', '=', 'slow').execute()).toEqual([]);
  });

  it('lets beforeComplete settle the purpose or refuse the file before it is visible', async () => {
    const settled = await createStoredFile(handle.db, { ...meta(), purpose: 'unknown-yet' }, piecesOf('a\nb'), {
      beforeComplete: async (summary) => {
        expect(summary).toEqual({ bytes: 3, lineCount: 2 });
        return { purpose: 'batch' };
      },
    });
    expect(settled.purpose).toBe('batch');
    expect((await getStoredFile(handle.db, orgId, settled.id))?.purpose).toBe('batch');
    const refusal = new Error('purpose is missing');
    const refused = await createStoredFile(handle.db, { ...meta(), purpose: 'refused-later' }, piecesOf('x'), {
      beforeComplete: () => Promise.reject(refusal),
    }).catch((error: unknown) => error);
    expect(refused).toBe(refusal);
    expect(await handle.db.selectFrom('files').select('id').where('purpose', '=', 'refused-later').execute()).toEqual([]);
  });

  it('lists by org and purpose, newest first or oldest first, with an after cursor', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) ids.push((await createStoredFile(handle.db, { ...meta(), purpose: 'listing' }, piecesOf(`${index}\n`))).id);
    await createStoredFile(handle.db, { orgId: otherOrgId, purpose: 'listing', filename: 'x' }, piecesOf('other\n'));

    const newest = await listStoredFiles(handle.db, orgId, { purpose: 'listing', limit: 2 });
    expect(newest.data.map((file) => file.id)).toEqual([ids[2], ids[1]]);
    expect(newest.hasMore).toBe(true);
    const rest = await listStoredFiles(handle.db, orgId, { purpose: 'listing', limit: 2, after: ids[1] });
    expect(rest).toEqual({ data: [expect.objectContaining({ id: ids[0] })], hasMore: false });
    const oldest = await listStoredFiles(handle.db, orgId, { purpose: 'listing', limit: 10, order: 'asc', after: ids[0] });
    expect(oldest.data.map((file) => file.id)).toEqual([ids[1], ids[2]]);
    const all = await listStoredFiles(handle.db, orgId, { limit: 100 });
    expect(all.data.every((file) => file.orgId === orgId)).toBe(true);
    expect(await listStoredFiles(handle.db, orgId, { limit: 10, after: 'file-unknown' })).toEqual({ data: [], hasMore: false });
  });

  it('is org scoped, and delete removes the file and its chunks', async () => {
    const file = await createStoredFile(handle.db, meta(), piecesOf(Buffer.alloc(fileChunkBytes + 1, 'z')));
    expect(await chunkCount(file.id)).toBe(2);
    expect(await getStoredFile(handle.db, otherOrgId, file.id)).toBeUndefined();
    expect(await deleteStoredFile(handle.db, otherOrgId, file.id)).toBe(false);
    expect(await deleteStoredFile(handle.db, orgId, file.id)).toBe(true);
    expect(await getStoredFile(handle.db, orgId, file.id)).toBeUndefined();
    expect(await chunkCount(file.id)).toBe(0);
    expect(await deleteStoredFile(handle.db, orgId, file.id)).toBe(false);
  });
});
