// The Redis side of `Idempotency-Key`: one string per (org, route, key hash), shared by every
// api process. A request claims the key atomically (or learns who holds it, or what was
// answered); it then stores its answer or releases the key, but only while it still holds
// it, so a request whose claim lapsed never overwrites a newer one.
import { redisScript, type RedisConnection } from '@switchyard/queue';
import { parseRecord, type IdempotencyRecord, type InFlightRecord, type StoredRecord } from './idempotency-rules.ts';

/** The record as it is, or (nil) after setting ARGV[1] for ARGV[2] ms: this request holds the key. */
const claimScript = redisScript(
  'IdempotencyClaim',
  1,
  `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`,
);

/** Only while the in-flight record ARGV[1] is still there: replace it with ARGV[2] for ARGV[3] ms, or delete it (ARGV[2] empty). */
const finishScript = redisScript(
  'IdempotencyFinish',
  1,
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`,
);

export type HeldKey = {
  /** Keeps the answer for `ttlMs`; false when the claim had lapsed (nothing written). */
  store(record: StoredRecord, ttlMs: number): Promise<boolean>;
  /** Frees the key so a retry runs again; false when the claim had lapsed. */
  release(): Promise<boolean>;
};

export type ClaimResult = { held: HeldKey } | { existing: IdempotencyRecord };

/**
 * Claims `recordKey` for a request (its in-flight record lives `inFlightTtlMs`, so a
 * crashed process does not hold the key for good), or answers the record already there.
 */
export async function claimIdempotencyKey(redis: RedisConnection, recordKey: string, inFlight: InFlightRecord, inFlightTtlMs: number): Promise<ClaimResult> {
  const claimedValue = JSON.stringify(inFlight);
  const current = (await claimScript.run(redis, [recordKey], [claimedValue, inFlightTtlMs])) as string | null;
  if (current !== null) {
    const existing = parseRecord(current);
    if (!existing) throw new Error(`unreadable idempotency record at ${recordKey}`);
    return { existing };
  }
  const finish = async (value: string, ttlMs: number) => (await finishScript.run(redis, [recordKey], [claimedValue, value, ttlMs])) === 1;
  return {
    held: {
      store: (record, ttlMs) => finish(JSON.stringify(record), ttlMs),
      release: () => finish('', 0),
    },
  };
}
