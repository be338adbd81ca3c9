import { toFile, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createStoredFile } from '@switchyard/db';
import { eventually } from '@switchyard/testing';
import { openAIClient } from '../support/clients.ts';
import { useGateway } from '../support/use-gateway.ts';

const maxBytes = 256 * 1024;
const maxLines = 5;
const gateway = useGateway({ workers: false, ledger: false, overrides: { files: { maxBytes, maxLines } } });

const jsonl = (count: number) => Array.from({ length: count }, (_, index) => `{"custom_id":"r${index}","body":{"text":"é€😀 ${index}"}}`).join('\n');

async function refusal(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

/** A multipart upload with the fields in the order given (the SDK sends `file` first). */
async function upload(parts: ['purpose', string] | ['file', string], ...more: (['purpose', string] | ['file', string])[]) {
  const form = new FormData();
  for (const [name, value] of [parts, ...more]) {
    if (name === 'file') form.append('file', new Blob([value]), 'input.jsonl');
    else form.append(name, value);
  }
  const response = await fetch(`${gateway.url}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${gateway.apiKey}` }, body: form });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const storedRows = async () => gateway.db.selectFrom('files').select(['id', 'status', 'purpose']).where('org_id', '=', gateway.orgId).execute();

describe('files API (official OpenAI SDK)', () => {
  it('uploads, retrieves, lists, streams back and deletes a batch file', async () => {
    const text = `${jsonl(3)}\n`;
    const created = await gateway.openai.files.create({ file: await toFile(Buffer.from(text), 'requests.jsonl'), purpose: 'batch' });
    expect(created).toMatchObject({
      object: 'file',
      bytes: Buffer.byteLength(text),
      filename: 'requests.jsonl',
      purpose: 'batch',
      status: 'processed',
      expires_at: null,
      status_details: null,
    });
    expect(created.id).toMatch(/^file-/);
    expect(Math.abs(created.created_at - Date.now() / 1000)).toBeLessThan(600);

    expect(await gateway.openai.files.retrieve(created.id)).toEqual(created);
    const listed = await gateway.openai.files.list({ purpose: 'batch' });
    expect(listed.data.map((file) => file.id)).toContain(created.id);

    const content = await gateway.openai.files.content(created.id);
    expect(content.headers.get('content-type')).toBe('application/jsonl');
    expect(Buffer.from(await content.arrayBuffer()).equals(Buffer.from(text))).toBe(true);

    const row = await gateway.db.selectFrom('files').select('line_count').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.line_count).toBe(3);

    expect(await gateway.openai.files.delete(created.id)).toEqual({ id: created.id, object: 'file', deleted: true });
    expect((await refusal(gateway.openai.files.retrieve(created.id))).status).toBe(404);
    expect((await refusal(gateway.openai.files.delete(created.id))).status).toBe(404);
    expect((await refusal(gateway.openai.files.content(created.id))).status).toBe(404);
  });

  it("answers 404 for another org's file, and lists only the org's own", async () => {
    const mine = await gateway.openai.files.create({ file: await toFile(Buffer.from('private\n'), 'mine.txt'), purpose: 'user_data' });
    const other = openAIClient(gateway, (await gateway.createTenant('org-files-other')).apiKey);
    for (const attempt of [() => other.files.retrieve(mine.id), () => other.files.content(mine.id), () => other.files.delete(mine.id)]) {
      const error = await refusal(attempt());
      expect(error.status).toBe(404);
      expect(error.type).toBe('not_found_error');
    }
    expect((await other.files.list()).data).toEqual([]);
    expect((await gateway.openai.files.retrieve(mine.id)).purpose).toBe('user_data');
    const binary = await gateway.openai.files.content(mine.id);
    expect(binary.headers.get('content-type')).toBe('application/octet-stream');
  });

  it('answers 413 file_too_large past files.maxBytes and keeps nothing', async () => {
    const before = await storedRows();
    const error = await refusal(gateway.openai.files.create({ file: await toFile(Buffer.alloc(maxBytes + 1, 'a'), 'big.jsonl'), purpose: 'batch' }));
    expect(error.status).toBe(413);
    expect(error.code).toBe('file_too_large');
    expect(error.param).toBe('file');
    // Declared much larger than the limit: refused before reading, the body is dropped, the answer is the same.
    const huge = await refusal(gateway.openai.files.create({ file: await toFile(Buffer.alloc(8 * maxBytes, 'a'), 'huge.bin'), purpose: 'user_data' }));
    expect(huge.status).toBe(413);
    expect(await storedRows()).toEqual(before);
    const exactly = await gateway.openai.files.create({ file: await toFile(Buffer.alloc(maxBytes, 'a'), 'limit.bin'), purpose: 'user_data' });
    expect(exactly.bytes).toBe(maxBytes);
  });

  it('refuses a batch file over files.maxLines, whether purpose comes after the file (SDK) or before it', async () => {
    const before = await storedRows();
    const late = await refusal(gateway.openai.files.create({ file: await toFile(Buffer.from(jsonl(maxLines + 1)), 'many.jsonl'), purpose: 'batch' }));
    expect(late.status).toBe(400);
    expect(late.param).toBe('file');
    expect(late.message).toContain(`${maxLines} lines`);
    const early = await upload(['purpose', 'batch'], ['file', jsonl(maxLines + 1)]);
    expect(early.status).toBe(400);
    expect(early.body.error).toMatchObject({ param: 'file', type: 'invalid_request_error' });
    expect(await storedRows()).toEqual(before);

    // The limit is for batch files only, and a file of exactly maxLines passes.
    expect((await upload(['purpose', 'user_data'], ['file', jsonl(maxLines + 1)])).status).toBe(200);
    expect((await upload(['purpose', 'batch'], ['file', `${jsonl(maxLines)}\n`])).status).toBe(200);
  });

  it('accepts a batch file that is not JSONL (the batch fails at validation, not the upload) and counts its lines', async () => {
    const created = await upload(['file', 'not json at all\r\nsecond line'], ['purpose', 'batch']);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'file', purpose: 'batch', bytes: 28 });
    const row = await gateway.db.selectFrom('files').select('line_count').where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row.line_count).toBe(2);
  });

  it('answers 400 with the param for an empty file, a missing field or an unknown purpose', async () => {
    const empty = await refusal(gateway.openai.files.create({ file: await toFile(Buffer.alloc(0), 'empty.jsonl'), purpose: 'batch' }));
    expect(empty.status).toBe(400);
    expect(empty.param).toBe('file');
    const unknown = await refusal(gateway.openai.files.create({ file: await toFile(Buffer.from('x\n'), 'x.jsonl'), purpose: 'batch_output' as 'batch' }));
    expect(unknown.status).toBe(400);
    expect(unknown.param).toBe('purpose');
    expect((await upload(['purpose', 'nonsense'], ['file', 'x'])).body.error.param).toBe('purpose');
    const noPurpose = await upload(['file', 'x\n']);
    expect(noPurpose.status).toBe(400);
    expect(noPurpose.body.error.param).toBe('purpose');
    const noFile = await upload(['purpose', 'batch']);
    expect(noFile.status).toBe(400);
    expect(noFile.body.error.param).toBe('file');
    const notMultipart = await fetch(`${gateway.url}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
      body: '{"purpose":"batch"}',
    });
    expect(notMultipart.status).toBe(400);
    expect((await storedRows()).filter((row) => row.status !== 'processed')).toEqual([]);
  });

  it('pages the listing with limit, after and order, filtered by purpose', async () => {
    const tenant = await gateway.createTenant('org-files-listing');
    const client = openAIClient(gateway, tenant.apiKey);
    const ids: string[] = [];
    for (let index = 0; index < 3; index++)
      ids.push((await client.files.create({ file: await toFile(Buffer.from(`${index}\n`), `${index}.jsonl`), purpose: 'batch' })).id);
    await client.files.create({ file: await toFile(Buffer.from('other\n'), 'other.txt'), purpose: 'user_data' });

    const first = await client.files.list({ purpose: 'batch', limit: 2 });
    expect(first.data.map((file) => file.id)).toEqual([ids[2], ids[1]]);
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    expect(second.data.map((file) => file.id)).toEqual([ids[0]]);
    expect(second.hasNextPage()).toBe(false);
    const oldest = await client.files.list({ purpose: 'batch', order: 'asc' });
    expect(oldest.data.map((file) => file.id)).toEqual(ids);
    const all: string[] = [];
    for await (const file of client.files.list({ limit: 1 })) all.push(file.id);
    expect(all).toHaveLength(4);
    const raw = await fetch(`${gateway.url}/v1/files?limit=2&purpose=batch`, { headers: { authorization: `Bearer ${tenant.apiKey}` } });
    expect(await raw.json()).toMatchObject({ object: 'list', has_more: true, first_id: ids[2], last_id: ids[1] });
    expect((await refusal(client.files.list({ limit: 0 }))).param).toBe('limit');
  });

  it('removes an upload whose client goes away halfway, and never lists it', async () => {
    const controller = new AbortController();
    let sentFirstPart!: () => void;
    const firstPartSent = new Promise<void>((resolve) => {
      sentFirstPart = resolve;
    });
    const boundary = 'abandoned-upload';
    const body = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n` +
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\n\r\n${'a'.repeat(64 * 1024)}`,
          ),
        );
        sentFirstPart();
      },
    });
    const request = fetch(`${gateway.url}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
      signal: controller.signal,
    } as RequestInit).catch((error: unknown) => error);
    await firstPartSent;
    await eventually('the upload to be in progress', async () => (await storedRows()).some((row) => row.status === 'uploading'));
    expect((await gateway.openai.files.list({ purpose: 'user_data' })).data.map((file) => file.filename)).not.toContain('cut.bin');
    controller.abort();
    await request;
    await eventually('the partial upload to be removed', async () => (await storedRows()).every((row) => row.status === 'processed'));
    const orphans = await gateway.db
      .selectFrom('file_chunks')
      .select('file_id')
      .where('file_id', 'not in', gateway.db.selectFrom('files').select('id'))
      .execute();
    expect(orphans).toEqual([]);
  });

  it('serves batch output files the engine writes through the repository', async () => {
    async function* results() {
      for (let index = 0; index < 3; index++) yield `{"custom_id":"r${index}","response":{"status_code":200}}\n`;
    }
    const output = await createStoredFile(gateway.db, { orgId: gateway.orgId, purpose: 'batch_output', filename: 'batch_x_output.jsonl' }, results());
    expect(await gateway.openai.files.retrieve(output.id)).toMatchObject({ purpose: 'batch_output', bytes: output.bytes });
    const content = await gateway.openai.files.content(output.id);
    expect((await content.text()).split('\n').filter(Boolean)).toHaveLength(3);
    expect((await gateway.openai.files.list({ purpose: 'batch_output' as 'batch' })).data.map((file) => file.id)).toEqual([output.id]);
  });
});
