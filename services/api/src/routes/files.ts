import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { GatewayError } from '@switchyard/core';
import {
  createStoredFile,
  deleteStoredFile,
  getStoredFile,
  listStoredFiles,
  readStoredFileBytes,
  StoredFileRefusedError,
  type StoredFile,
} from '@switchyard/db';
import type { ApiContext } from '../context.ts';
import { renderFileObject } from '../files/file-object.ts';
import { readMultipartUpload } from '../files/multipart-upload.ts';
import { principalOf } from '../middleware/authenticate.ts';

/** What a client may upload. Only `batch` files have their lines checked (at most `files.maxLines`). */
const uploadPurposes = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;
/** What a listing may filter on: the uploadable purposes and the ones the gateway writes (batch results). */
const listPurposes = [...uploadPurposes, 'batch_output'] as const;
const fileIdPattern = /^file-[A-Za-z0-9]{1,64}$/;
/** Room for the multipart framing and text fields around the file's own bytes. */
const multipartAllowance = 1024 * 1024;

/**
 * `/files`: OpenAI's Files API, org-scoped. Uploads are streamed from the multipart body into
 * Postgres chunk by chunk (never whole in memory); content is streamed back the same way.
 */
export function createFilesRouter(context: ApiContext): Router {
  const router = Router();
  router.param('id', checkFileIdParameter);

  router.post('/files', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const file = await receiveUpload(context, request, principal.orgId).catch((error: unknown) => {
      throw refusalOf(error, context.config.files.maxBytes);
    });
    response.json(renderFileObject(file));
  });

  router.get('/files', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const purpose = purposeParameter(request);
    const after = afterParameter(request);
    const page = await listStoredFiles(context.db, principal.orgId, {
      limit: limitParameter(request),
      order: orderParameter(request),
      ...(purpose ? { purpose } : {}),
      ...(after ? { after } : {}),
    });
    const data = page.data.map(renderFileObject);
    response.json({ object: 'list', data, has_more: page.hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  });

  router.get('/files/:id', async (request: Request, response: Response) => {
    response.json(renderFileObject(await fileOrNotFound(context, response, request.params.id as string)));
  });

  router.get('/files/:id/content', async (request: Request, response: Response) => {
    const file = await fileOrNotFound(context, response, request.params.id as string);
    response.status(200);
    response.setHeader('content-type', file.purpose === 'batch' || file.purpose === 'batch_output' ? 'application/jsonl' : 'application/octet-stream');
    response.setHeader('content-length', String(file.bytes));
    response.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
    try {
      await pipeline(Readable.from(readStoredFileBytes(context.db, file.id)), response);
    } catch (error) {
      // Once bytes are out no envelope can follow: the cut connection tells the client.
      if (!response.headersSent) throw error;
      if (!response.writableEnded && !request.destroyed)
        context.logger.warn({ err: error, requestId: response.locals.requestId, fileId: file.id }, 'file content cut short');
    }
  });

  router.delete('/files/:id', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const id = request.params.id as string;
    if (!(await deleteStoredFile(context.db, principal.orgId, id))) throw fileNotFound();
    response.json({ id, object: 'file', deleted: true });
  });
  return router;
}

/**
 * Streams the multipart `file` part into `createStoredFile`. `purpose` may come before the
 * file (curl, the Python SDK) or after it (the Node SDK): before, a batch file is stopped at
 * its line limit as it streams; after, the file is checked once its bytes are in, before it
 * becomes visible, and removed if refused.
 */
async function receiveUpload(context: ApiContext, request: Request, orgId: string): Promise<StoredFile> {
  const { maxBytes, maxLines } = context.config.files;
  // A body declared far larger than the limit is refused before a byte is stored.
  const declared = Number(request.headers['content-length']);
  if (declared > maxBytes + multipartAllowance) throw new StoredFileRefusedError('too_large', '', maxBytes);
  const upload = await readMultipartUpload(request, 'file', async (part) => {
    const early = part.fieldsBefore.get('purpose');
    if (early !== undefined) checkUploadPurpose(early);
    return createStoredFile(context.db, { orgId, purpose: early ?? 'uploading', filename: cleanFilename(part.filename) }, part.content, {
      maxBytes,
      countLines: true,
      ...(early === 'batch' ? { maxLines } : {}),
      beforeComplete: async ({ lineCount }) => {
        const purpose = checkUploadPurpose((await part.allFields).get('purpose'));
        if (purpose === 'batch' && lineCount !== null && lineCount > maxLines) throw new StoredFileRefusedError('too_many_lines', '', maxLines);
        return { purpose };
      },
    });
  });
  if (!upload.stored) {
    checkUploadPurpose(upload.fields.get('purpose'));
    throw new GatewayError('invalid_request', 'Missing required parameter: file.', { param: 'file' });
  }
  return upload.stored;
}

function checkUploadPurpose(value: string | undefined): (typeof uploadPurposes)[number] {
  if (value === undefined || value === '') throw new GatewayError('invalid_request', 'Missing required parameter: purpose.', { param: 'purpose' });
  const purpose = uploadPurposes.find((candidate) => candidate === value);
  if (!purpose)
    throw new GatewayError('invalid_request', `purpose must be one of ${uploadPurposes.join(', ')}, got ${JSON.stringify(value.slice(0, 64))}.`, {
      param: 'purpose',
    });
  return purpose;
}

/** The repository's refusals in the API's envelope; anything else passes unchanged. */
function refusalOf(error: unknown, maxBytes: number): unknown {
  if (!(error instanceof StoredFileRefusedError)) return error;
  switch (error.reason) {
    case 'too_large':
      return new GatewayError('file_too_large', `The file exceeds the maximum size of ${maxBytes} bytes.`, { param: 'file' });
    case 'too_many_lines':
      return new GatewayError('invalid_request', `A batch input file may hold at most ${error.limit} lines.`, { param: 'file' });
    case 'empty':
      return new GatewayError('invalid_request', 'The file is empty.', { param: 'file' });
  }
}

// Postgres refuses NUL in text; control characters have no place in a name shown back.
function cleanFilename(filename: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const cleaned = (filename ?? '').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
  return cleaned || 'file';
}

async function fileOrNotFound(context: ApiContext, response: Response, id: string): Promise<StoredFile> {
  const file = await getStoredFile(context.db, principalOf(response).orgId, id);
  if (!file) throw fileNotFound();
  return file;
}

function fileNotFound(): GatewayError {
  return new GatewayError('not_found', 'No such File object.', { param: 'id' });
}

/** An id the gateway cannot have made answers 404 like an unknown one, without a query. */
function checkFileIdParameter(_request: Request, _response: Response, next: NextFunction, id: unknown): void {
  if (typeof id === 'string' && fileIdPattern.test(id)) next();
  else next(fileNotFound());
}

function purposeParameter(request: Request): string | undefined {
  const value = request.query.purpose;
  if (value === undefined || value === '') return undefined;
  const purpose = listPurposes.find((candidate) => candidate === value);
  if (!purpose) throw new GatewayError('invalid_request', `purpose must be one of ${listPurposes.join(', ')}.`, { param: 'purpose' });
  return purpose;
}

function afterParameter(request: Request): string | undefined {
  const value = request.query.after;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !fileIdPattern.test(value)) throw new GatewayError('invalid_request', 'after must be a file id.', { param: 'after' });
  return value;
}

function orderParameter(request: Request): 'asc' | 'desc' {
  const value = request.query.order;
  if (value === undefined || value === '' || value === 'desc') return 'desc';
  if (value === 'asc') return 'asc';
  throw new GatewayError('invalid_request', 'order must be asc or desc.', { param: 'order' });
}

function limitParameter(request: Request): number {
  const value = request.query.limit;
  if (value === undefined || value === '') return 10_000;
  const limit = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= 10_000))
    throw new GatewayError('invalid_request', `limit must be an integer from 1 to 10000, got ${JSON.stringify(value)}.`, { param: 'limit' });
  return limit;
}
