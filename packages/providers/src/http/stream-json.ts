import type { StreamPart } from '@switchyard/core';

export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A chunk we cannot parse becomes an error part; the stream goes on. */
export function unreadableChunkPart(): StreamPart {
  return { type: 'error', error: { code: 'upstream_error', message: 'upstream sent an unreadable stream chunk' } };
}
