// The pure rules behind `Idempotency-Key`: what a valid key is, what makes two requests
// "the same", what a key's record decides for a new request, and which answers are kept.
// The Redis side is idempotency-store.ts, the Express side idempotency.ts.
import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { GatewayError } from '@switchyard/core';

export const idempotencyHeader = 'Idempotency-Key';
const maxKeyLength = 255;
/** Printable ASCII, space included (0x20-0x7E). */
const printableAscii = /^[\x20-\x7e]+$/;

/** A request holds the key while it runs. */
export type InFlightRecord = { state: 'in_flight'; fingerprint: string; requestId: string; startedAt: number };

/** The answer kept for the key: status, the headers worth replaying, the body as sent (base64). */
export type StoredRecord = {
  state: 'stored';
  fingerprint: string;
  requestId: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  storedAt: number;
};

export type IdempotencyRecord = InFlightRecord | StoredRecord;

export type IdempotencyDecision =
  | { kind: 'new' }
  | { kind: 'replay'; record: StoredRecord }
  | { kind: 'mismatch' }
  | { kind: 'in_use'; record: InFlightRecord };

/**
 * The client's key, or undefined when it sent none. 1-255 printable ASCII characters, else
 * 400: a key that is silently ignored would let a retry run twice.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const invalid = (why: string) => new GatewayError('invalid_request', `${idempotencyHeader} ${why}`, { param: idempotencyHeader });
  if (Array.isArray(header)) throw invalid('must be sent once');
  if (header.length === 0) throw invalid('must not be empty');
  if (header.length > maxKeyLength) throw invalid(`must be at most ${maxKeyLength} characters (got ${header.length})`);
  if (!printableAscii.test(header)) throw invalid('must hold printable ASCII characters only');
  return header;
}

/** SHA-256 (hex) of a client key: the key itself never reaches Redis or the logs. */
export function hashIdempotencyKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` are the same request.
 * Bytes (an uploaded file's Buffer) stand as their SHA-256.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Uint8Array) return `{"$sha256":"${createHash('sha256').update(value).digest('hex')}"}`;
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : stableStringify(item))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/**
 * SHA-256 of the canonical request: the route, then the parsed JSON body (stable), or the
 * raw bytes of a body that is not JSON (a multipart upload handed over as a Buffer).
 */
export function requestFingerprint(route: string, body: unknown): string {
  const hash = createHash('sha256').update(route).update('\n');
  if (Buffer.isBuffer(body)) hash.update('raw\n').update(body);
  else hash.update('json\n').update(stableStringify(body ?? null));
  return hash.digest('hex');
}

/**
 * What the key's record (read and claimed atomically: undefined means this request now
 * holds the key) means for a request with this fingerprint. A different body is refused
 * first, whether the first request still runs or not: the key is misused either way.
 */
export function decideOnRecord(record: IdempotencyRecord | undefined, fingerprint: string): IdempotencyDecision {
  if (!record) return { kind: 'new' };
  if (record.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (record.state === 'in_flight') return { kind: 'in_use', record };
  return { kind: 'replay', record };
}

export type StoreVerdict = { store: true } | { store: false; reason: 'server_error' | 'rate_limited' | 'incomplete' | 'too_large' };

/**
 * Whether an answer is kept for replay. 5xx and 429 are not (the key is released so the
 * client may retry); other 4xx are, like Stripe. A stream that did not end with its finish
 * part is not, nor an answer over the size cap.
 */
export function storeVerdict(answer: { status: number; complete: boolean; bytes: number; maxBytes: number }): StoreVerdict {
  if (answer.status >= 500) return { store: false, reason: 'server_error' };
  if (answer.status === 429) return { store: false, reason: 'rate_limited' };
  if (!answer.complete) return { store: false, reason: 'incomplete' };
  if (answer.bytes > answer.maxBytes) return { store: false, reason: 'too_large' };
  return { store: true };
}

const replayedHeaders = new Set(['content-type', 'cache-control', 'location', 'x-job-id', 'x-accel-buffering']);

/**
 * The headers a replay carries again: the body's type, the job's Location and id, the
 * serving route (`x-switchyard-*`). Not `x-request-id` (each exchange has its own) nor
 * the rate-limit headers (they described that moment).
 */
export function headersToReplay(headers: OutgoingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || (!replayedHeaders.has(lower) && !lower.startsWith('x-switchyard-'))) continue;
    kept[lower] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return kept;
}

/** Reads a record back from its JSON; undefined when it is not one. */
export function parseRecord(text: string | null): IdempotencyRecord | undefined {
  if (!text) return undefined;
  try {
    const record = JSON.parse(text) as IdempotencyRecord;
    return record.state === 'in_flight' || record.state === 'stored' ? record : undefined;
  } catch {
    return undefined;
  }
}
