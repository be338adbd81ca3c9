// The claim/store/release scripts against a real Redis: one holder at a time, and a holder
// whose claim lapsed (and was taken by another request) never overwrites or frees it.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyRecordKey } from '@switchyard/queue';
import { deletePrefix, testRedis, uniquePrefix } from '@switchyard/testing';
import type { InFlightRecord, StoredRecord } from './idempotency-rules.ts';
import { claimIdempotencyKey } from './idempotency-store.ts';

const prefix = uniquePrefix('idem');
let redis: Redis;
let url: string;
let sequence = 0;

beforeAll(async () => {
  url = (await testRedis()).url;
  redis = new Redis(url);
});

afterAll(async () => {
  await redis.quit();
  await deletePrefix(url, prefix);
});

const nextKey = () => idempotencyRecordKey(prefix, 'org_1', '/v1/chat/completions', `hash${++sequence}`);
const inFlight = (requestId: string): InFlightRecord => ({ state: 'in_flight', fingerprint: 'f', requestId, startedAt: 1 });
const stored = (requestId: string): StoredRecord => ({
  state: 'stored',
  fingerprint: 'f',
  requestId,
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{"ok":true}').toString('base64'),
  storedAt: 2,
});

describe('claimIdempotencyKey', () => {
  it('gives the key to the first request; the next one sees its in-flight record, then the stored answer', async () => {
    const key = nextKey();
    const first = await claimIdempotencyKey(redis, key, inFlight('req_1'), 60_000);
    expect('held' in first).toBe(true);
    expect(await claimIdempotencyKey(redis, key, inFlight('req_2'), 60_000)).toEqual({ existing: inFlight('req_1') });
    const claimMs = await redis.pttl(key);
    expect(claimMs).toBeGreaterThan(0);
    expect(claimMs).toBeLessThanOrEqual(60_000);

    if (!('held' in first)) throw new Error('not held');
    expect(await first.held.store(stored('req_1'), 3_600_000)).toBe(true);
    expect(await claimIdempotencyKey(redis, key, inFlight('req_3'), 60_000)).toEqual({ existing: stored('req_1') });
    expect(await redis.pttl(key)).toBeGreaterThan(60_000);
  });

  it('frees the key on release, so the next request holds it', async () => {
    const key = nextKey();
    const first = await claimIdempotencyKey(redis, key, inFlight('req_1'), 60_000);
    if (!('held' in first)) throw new Error('not held');
    expect(await first.held.release()).toBe(true);
    expect(await redis.exists(key)).toBe(0);
    expect('held' in (await claimIdempotencyKey(redis, key, inFlight('req_2'), 60_000))).toBe(true);
  });

  it('does nothing for a holder whose claim lapsed and was taken by another request', async () => {
    const key = nextKey();
    const first = await claimIdempotencyKey(redis, key, inFlight('req_1'), 60_000);
    if (!('held' in first)) throw new Error('not held');
    // The claim lapses (a crashed or very slow api): another request takes the key.
    await redis.del(key);
    const second = await claimIdempotencyKey(redis, key, inFlight('req_2'), 60_000);
    if (!('held' in second)) throw new Error('not held');

    expect(await first.held.store(stored('req_1'), 3_600_000)).toBe(false);
    expect(await first.held.release()).toBe(false);
    expect(await claimIdempotencyKey(redis, key, inFlight('req_3'), 60_000)).toEqual({ existing: inFlight('req_2') });
    expect(await second.held.store(stored('req_2'), 3_600_000)).toBe(true);
  });

  it('refuses to read a value that is not a record', async () => {
    const key = nextKey();
    await redis.set(key, 'garbage', 'PX', 60_000);
    await expect(claimIdempotencyKey(redis, key, inFlight('req_1'), 60_000)).rejects.toThrow(/unreadable idempotency record/);
  });
});
