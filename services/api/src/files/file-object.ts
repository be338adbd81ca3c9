import type { StoredFile } from '@switchyard/db';

/** OpenAI's file object, as `client.files.*` of the official SDK reads it. */
export function renderFileObject(file: StoredFile) {
  return {
    id: file.id,
    object: 'file' as const,
    bytes: file.bytes,
    created_at: Math.floor(file.createdAt / 1000),
    filename: file.filename,
    purpose: file.purpose,
    status: file.status,
    expires_at: null,
    status_details: null,
  };
}
