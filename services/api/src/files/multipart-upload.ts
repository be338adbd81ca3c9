import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { GatewayError } from '@switchyard/core';

/** The file part of a multipart upload, handed over while its bytes are still arriving. */
export type UploadedFilePart = {
  filename: string | undefined;
  /** The part's bytes as they arrive; reading slowly slows the client down (backpressure). */
  content: Readable;
  /** The text fields sent before the file part. */
  fieldsBefore: ReadonlyMap<string, string>;
  /** Every text field, once the whole body has been read (rejects if the upload fails). */
  allFields: Promise<ReadonlyMap<string, string>>;
};

export type MultipartUpload<T> = { fields: ReadonlyMap<string, string>; stored: T | undefined };

// Text fields are short (purpose, expires_after); anything bigger is not a field we take.
const limits = { files: 1, fields: 16, parts: 32, fieldSize: 16 * 1024, fieldNameSize: 100 };

/**
 * Reads a multipart/form-data body as a stream: the part named `fileField` is passed to
 * `store` as soon as its headers arrive, so its bytes go wherever `store` writes them without
 * the whole body ever being held. Resolves when the body is read and `store` is done. On any
 * failure (a malformed body, a refusal from `store`, the client going away) the rest of the
 * body is discarded unread into nothing, the file part is destroyed, and the promise rejects
 * once `store` has settled (so whatever it wrote is cleaned up before the answer goes out).
 */
export function readMultipartUpload<T>(request: Request, fileField: string, store: (part: UploadedFilePart) => Promise<T>): Promise<MultipartUpload<T>> {
  if (!/^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '')) {
    return Promise.reject(new GatewayError('invalid_request', 'The upload must be sent as multipart/form-data, with the fields `file` and `purpose`.'));
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: request.headers, limits });
  } catch (error) {
    return Promise.reject(malformed(error));
  }

  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let storing: Promise<T> | undefined;
    let filePart: Readable | undefined;
    let settled = false;
    let fieldsRead!: (fields: ReadonlyMap<string, string>) => void;
    let fieldsFailed!: (error: unknown) => void;
    const allFields = new Promise<ReadonlyMap<string, string>>((resolveFields, rejectFields) => {
      fieldsRead = resolveFields;
      fieldsFailed = rejectFields;
    });
    allFields.catch(() => {});

    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      // Stop parsing; what the client still sends is read and dropped, so it can read our answer.
      request.unpipe(parser);
      request.resume();
      fieldsFailed(error);
      filePart?.destroy(error instanceof Error ? error : new Error(String(error)));
      const cleanedUp = storing ?? Promise.resolve();
      cleanedUp.then(
        () => reject(error),
        () => reject(error),
      );
    };

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new GatewayError('invalid_request', `The field ${name} is too long.`, { param: name }));
      else fields.set(name, value);
    });
    parser.on('file', (name, stream, info) => {
      if (name !== fileField || storing) {
        stream.resume();
        return;
      }
      filePart = stream;
      // A failure destroys the part with its error; a reader sees it, and no reader must not crash the process.
      stream.on('error', () => {});
      storing = store({ filename: info.filename, content: stream, fieldsBefore: new Map(fields), allFields });
      storing.catch(fail);
    });
    parser.on('filesLimit', () => fail(new GatewayError('invalid_request', 'Send one file per upload.', { param: fileField })));
    parser.on('fieldsLimit', () => fail(new GatewayError('invalid_request', 'The upload has too many fields.')));
    parser.on('partsLimit', () => fail(new GatewayError('invalid_request', 'The upload has too many parts.')));
    parser.on('error', (error) => fail(malformed(error)));
    parser.on('close', () => {
      fieldsRead(fields);
      (storing ?? Promise.resolve(undefined)).then((stored) => {
        if (settled) return;
        settled = true;
        resolve({ fields, stored });
      }, fail);
    });
    request.on('error', (error) => fail(new GatewayError('cancelled', 'The client went away during the upload.', { cause: error })));
    request.on('close', () => {
      if (!request.complete) fail(new GatewayError('cancelled', 'The client went away during the upload.'));
    });
    request.pipe(parser);
  });
}

function malformed(error: unknown): GatewayError {
  return new GatewayError('invalid_request', `The multipart body could not be read: ${(error as Error).message}.`, { cause: error });
}
