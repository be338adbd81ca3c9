import { describe, expect, it } from 'vitest';
import { GatewayError } from '@switchyard/core';
import {
  decideOnRecord,
  hashIdempotencyKey,
  headersToReplay,
  parseIdempotencyKey,
  parseRecord,
  requestFingerprint,
  stableStringify,
  storeVerdict,
  type InFlightRecord,
  type StoredRecord,
} from './idempotency-rules.ts';

function refusal(header: string | string[]): GatewayError {
  try {
    parseIdempotencyKey(header);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error(`${JSON.stringify(header)} was accepted`);
}

describe('parseIdempotencyKey', () => {
  it('accepts 1 to 255 printable ASCII characters, spaces included, and no header at all', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('k')).toBe('k');
    expect(parseIdempotencyKey('x'.repeat(255))).toHaveLength(255);
    expect(parseIdempotencyKey('order 42 ~!@#$%^&*()')).toBe('order 42 ~!@#$%^&*()');
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'x'.repeat(256)],
    ['a tab', 'a\tb'],
    ['a control character', 'a\u0001b'],
    ['DEL', 'a\u007fb'],
    ['non-ASCII', 'clé'],
  ])('refuses %s with 400 invalid_request naming the header', (_name, header) => {
    const error = refusal(header);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, type: 'invalid_request_error', param: 'Idempotency-Key' });
  });

  it('refuses a key sent twice', () => {
    expect(refusal(['a', 'b']).param).toBe('Idempotency-Key');
  });
});

describe('requestFingerprint', () => {
  const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], temperature: 0 };

  it('is the same for the same body whatever the key order', () => {
    const reordered = { temperature: 0, messages: [{ content: 'hi', role: 'user' }], model: 'gpt-4o' };
    expect(requestFingerprint('/v1/chat/completions', reordered)).toBe(requestFingerprint('/v1/chat/completions', body));
    expect(requestFingerprint('/v1/chat/completions', body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs for another body, another route, or another array order', () => {
    const base = requestFingerprint('/v1/chat/completions', body);
    expect(requestFingerprint('/v1/chat/completions', { ...body, temperature: 1 })).not.toBe(base);
    expect(requestFingerprint('/v1/messages', body)).not.toBe(base);
    expect(requestFingerprint('/v1/chat/completions', { ...body, messages: [...body.messages, { role: 'user', content: 'again' }] })).not.toBe(base);
    expect(requestFingerprint('/v1/chat/completions', { ...body, stream: true })).not.toBe(base);
  });

  it('hashes raw bytes apart from JSON with the same text', () => {
    const raw = Buffer.from('{"a":1}');
    expect(requestFingerprint('/v1/files', raw)).toBe(requestFingerprint('/v1/files', Buffer.from('{"a":1}')));
    expect(requestFingerprint('/v1/files', raw)).not.toBe(requestFingerprint('/v1/files', { a: 1 }));
  });
});

describe('stableStringify', () => {
  it('sorts keys at every level, drops undefined members, keeps arrays in order', () => {
    expect(stableStringify({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}');
    expect(stableStringify([undefined, 'x'])).toBe('[null,"x"]');
    expect(stableStringify(undefined)).toBe('null');
  });

  it('stands bytes for their SHA-256, so an upload is compared by content', () => {
    const file = { purpose: 'batch', file: Buffer.from('abc') };
    expect(stableStringify(file)).toBe('{"file":{"$sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},"purpose":"batch"}');
    expect(requestFingerprint('/v1/files', file)).not.toBe(requestFingerprint('/v1/files', { ...file, file: Buffer.from('abd') }));
  });
});

describe('decideOnRecord', () => {
  const inFlight: InFlightRecord = { state: 'in_flight', fingerprint: 'f1', requestId: 'req_1', startedAt: 1 };
  const stored: StoredRecord = { state: 'stored', fingerprint: 'f1', requestId: 'req_1', status: 200, headers: {}, body: '', storedAt: 2 };

  it('runs a request that claimed the key', () => {
    expect(decideOnRecord(undefined, 'f1')).toEqual({ kind: 'new' });
  });

  it('replays a stored answer to the same request', () => {
    expect(decideOnRecord(stored, 'f1')).toEqual({ kind: 'replay', record: stored });
  });

  it('answers in use while the same request runs', () => {
    expect(decideOnRecord(inFlight, 'f1')).toEqual({ kind: 'in_use', record: inFlight });
  });

  it('refuses another body, whether the first still runs or is stored', () => {
    expect(decideOnRecord(stored, 'f2')).toEqual({ kind: 'mismatch' });
    expect(decideOnRecord(inFlight, 'f2')).toEqual({ kind: 'mismatch' });
  });
});

describe('storeVerdict', () => {
  const answer = { status: 200, complete: true, bytes: 10, maxBytes: 100 };

  it('stores successes, 202 jobs and client errors other than 429', () => {
    for (const status of [200, 202, 400, 404, 409, 422]) expect(storeVerdict({ ...answer, status })).toEqual({ store: true });
  });

  it('releases 5xx, 429, unfinished streams and answers over the cap', () => {
    expect(storeVerdict({ ...answer, status: 500 })).toEqual({ store: false, reason: 'server_error' });
    expect(storeVerdict({ ...answer, status: 504 })).toEqual({ store: false, reason: 'server_error' });
    expect(storeVerdict({ ...answer, status: 429 })).toEqual({ store: false, reason: 'rate_limited' });
    expect(storeVerdict({ ...answer, complete: false })).toEqual({ store: false, reason: 'incomplete' });
    expect(storeVerdict({ ...answer, bytes: 101 })).toEqual({ store: false, reason: 'too_large' });
    expect(storeVerdict({ ...answer, bytes: 100 })).toEqual({ store: true });
  });
});

describe('headersToReplay', () => {
  it('keeps the body type, the job location and id and the serving route; drops per-exchange headers', () => {
    expect(
      headersToReplay({
        'content-type': 'application/json; charset=utf-8',
        Location: '/v1/jobs/req_1',
        'x-job-id': 'req_1',
        'x-switchyard-provider': 'openai',
        'x-switchyard-attempts': 1,
        'x-request-id': 'req_1',
        'x-ratelimit-remaining-requests': '3',
        'content-length': '12',
        'set-cookie': ['a', 'b'],
      }),
    ).toEqual({
      'content-type': 'application/json; charset=utf-8',
      location: '/v1/jobs/req_1',
      'x-job-id': 'req_1',
      'x-switchyard-provider': 'openai',
      'x-switchyard-attempts': '1',
    });
  });
});

describe('hashIdempotencyKey and parseRecord', () => {
  it('hashes keys to hex SHA-256 and reads back only records', () => {
    expect(hashIdempotencyKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(parseRecord(null)).toBeUndefined();
    expect(parseRecord('not json')).toBeUndefined();
    expect(parseRecord('{"state":"other"}')).toBeUndefined();
    expect(parseRecord('{"state":"in_flight","fingerprint":"f","requestId":"r","startedAt":1}')).toMatchObject({ state: 'in_flight' });
  });
});
