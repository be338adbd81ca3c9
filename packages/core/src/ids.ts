import { randomFillSync } from 'node:crypto';

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

// Random bytes are drawn from the CSPRNG a few KB at a time (as crypto.randomUUID does),
// not one small buffer and call per id: every request takes one.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function takeRandomBytes(length: number): Buffer {
  if (length > pool.length) return randomFillSync(Buffer.alloc(length));
  if (poolOffset + length > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + length);
  poolOffset += length;
  return bytes;
}

/** A random id with a readable prefix: `req_4fQ2...`. 22 base62 chars carry ~131 bits. */
export function newId(prefix: string, length = 22, separator = '_'): string {
  const bytes = takeRandomBytes(length);
  let id = `${prefix}${separator}`;
  for (let index = 0; index < length; index++) id += alphabet[bytes[index]! % 62];
  return id;
}

export const newRequestId = (): string => newId('req');
export const newOrgId = (): string => newId('org', 16);
export const newKeyId = (): string => newId('key', 16);
export const newApiKeySecret = (): string => newId('sk-sy', 40);
/** `file-...`, spelled like OpenAI's file ids (a dash, not an underscore). */
export const newFileId = (): string => newId('file', 24, '-');
