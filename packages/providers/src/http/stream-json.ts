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

/** The stream's body ended before the dialect's last event (`what`): the answer is cut short, and a retry may complete it. */
export function endedEarlyPart(provider: string, what: string): StreamPart {
  return { type: 'error', error: { code: 'upstream_error', message: `${provider} ended the stream before ${what}`, retryable: true } };
}
