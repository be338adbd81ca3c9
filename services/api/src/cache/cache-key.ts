// The response cache's key: exact match on what the client asked, per org and route. The
// body is taken as sent (less `stream` and `stream_options`, so a stored answer serves
// streamed and non-streamed requests alike) in a canonical JSON form, so key order and
// whitespace do not matter and every other field does. The model the request resolved to
// is part of it too: an alias pointed elsewhere by a config reload never answers with the
// old model's entry.
import { createHash } from 'node:crypto';
import type { InferenceEndpoint } from '@switchyard/core';

export type CacheKeyInput = {
  orgId: string;
  endpoint: InferenceEndpoint;
  /** Catalog id of the model the request resolved to (after aliases). */
  modelId: string;
  /** The request body as the client sent it (parsed JSON). */
  body: unknown;
};

const streamFields = new Set(['stream', 'stream_options']);

/** A hex SHA-256 digest naming the entry; pure. */
export function responseCacheDigest(input: CacheKeyInput): string {
  const body = isRecord(input.body) ? Object.fromEntries(Object.entries(input.body).filter(([name]) => !streamFields.has(name))) : input.body;
  return createHash('sha256')
    .update(canonicalJson([input.orgId, input.endpoint, input.modelId, body]))
    .digest('hex');
}

/** JSON with object keys sorted at every depth; array order is kept (it means something). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (isRecord(value)) {
    const fields = Object.keys(value)
      .filter((name) => value[name] !== undefined)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson(value[name])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
