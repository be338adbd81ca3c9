import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A random id with a readable prefix: `req_4fQ2...`. 22 base62 chars carry ~131 bits. */
export function newId(prefix: string, length = 22, separator = '_'): string {
  const bytes = randomBytes(length);
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
