import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@switchyard/core';
import { createSilentLogger } from '@switchyard/logger';
import { deletePrefix, testRedis, uniquePrefix } from '@switchyard/testing';
import type { Principal } from '../middleware/authenticate.ts';
import { createRateLimits, type RateLimits } from './rate-limits.ts';

const prefix = uniquePrefix('rl');
let redisUrl: string;
let redis: Redis;
let rateLimits: RateLimits;

beforeAll(async () => {
  redisUrl = (await testRedis()).url;
  redis = new Redis(redisUrl);
  rateLimits = createRateLimits({ redis, prefix, logger: createSilentLogger() });
});

afterAll(async () => {
  await redis?.quit();
  await deletePrefix(redisUrl, prefix);
});

function principal(org: Partial<Principal['org']>, orgId = newId('org', 8)): Principal {
  return { keyId: newId('key', 8), orgId, org: { monthlyBudgetUsd: null, rpmLimit: null, tpmLimit: null, ...org } };
}

const counter = async (name: string, id: string) => Number(await redis.get(`${prefix}:rl:${name}:${id}`));

describe('requests per minute', () => {
  it('admits exactly the limit, then refuses with the time to the window reset, and refused requests do not count', async () => {
    const caller = principal({ rpmLimit: 3 });
    const remaining: number[] = [];
    for (let index = 0; index < 3; index++) {
      const verdict = await rateLimits.admit(caller, 0);
      expect(verdict.rejection).toBeUndefined();
      remaining.push(verdict.requests!.remaining);
      expect(verdict.requests!.limit).toBe(3);
    }
    expect(remaining).toEqual([2, 1, 0]);

    const refused = await rateLimits.admit(caller, 0);
    expect(refused.rejection!.message).toContain('limit 3');
    expect(refused.rejection!.retryAfterMs).toBeGreaterThan(0);
    expect(refused.rejection!.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(refused.requests).toMatchObject({ limit: 3, remaining: 0 });
    await rateLimits.admit(caller, 0);
    expect(await counter('org-rpm', caller.orgId)).toBe(3);
    expect(await counter('key-rpm', caller.keyId)).toBe(3);
  });

  it('shares the org window between its keys', async () => {
    const first = principal({ rpmLimit: 2 });
    const second = { ...principal({ rpmLimit: 2 }), orgId: first.orgId };
    expect((await rateLimits.admit(first, 0)).rejection).toBeUndefined();
    expect((await rateLimits.admit(second, 0)).rejection).toBeUndefined();
    const refused = await rateLimits.admit(second, 0);
    expect(refused.rejection!.message).toContain('organization');
  });

  it('costs nothing for an org without limits', async () => {
    const caller = principal({});
    expect(await rateLimits.admit(caller, 500)).toEqual({});
    expect(await redis.exists(`${prefix}:rl:org-rpm:${caller.orgId}`, `${prefix}:rl:org-tpm:${caller.orgId}`)).toBe(0);
  });
});

describe('tokens per minute', () => {
  it('charges the estimate, refuses what would pass the limit, and reports what is left', async () => {
    const caller = principal({ tpmLimit: 100 });
    const first = await rateLimits.admit(caller, 40);
    expect(first.tokens).toMatchObject({ limit: 100, remaining: 60 });
    expect(first.tokenCharge).toMatchObject({ orgId: caller.orgId, tpmLimit: 100, tokens: 40 });
    expect(first.requests).toBeUndefined();
    await rateLimits.admit(caller, 40);
    const refused = await rateLimits.admit(caller, 40);
    expect(refused.rejection!.message).toContain('tokens per minute');
    expect(refused.tokens).toMatchObject({ limit: 100, remaining: 20 });
    expect(refused.tokenCharge).toBeUndefined();
    expect(await counter('org-tpm', caller.orgId)).toBe(80);
    // A request that fits the remaining 20 still goes through.
    expect((await rateLimits.admit(caller, 20)).rejection).toBeUndefined();
  });

  it('says so when a single request is larger than the whole limit', async () => {
    const refused = await rateLimits.admit(principal({ tpmLimit: 100 }), 150);
    expect(refused.rejection!.message).toContain('Request too large');
  });

  it('refunds the request window too when only the token limit refuses', async () => {
    const caller = principal({ rpmLimit: 10, tpmLimit: 50 });
    await rateLimits.admit(caller, 40);
    const refused = await rateLimits.admit(caller, 40);
    expect(refused.rejection).toBeDefined();
    expect(refused.requests).toMatchObject({ limit: 10, remaining: 9 });
    expect(await counter('org-rpm', caller.orgId)).toBe(1);
  });

  it('reconciles the estimate with the real usage, in both directions, within the window', async () => {
    const caller = principal({ tpmLimit: 1000 });
    const admitted = await rateLimits.admit(caller, 400);
    await rateLimits.reconcile(admitted.tokenCharge!, 130);
    expect(await counter('org-tpm', caller.orgId)).toBe(130);
    const second = await rateLimits.admit(caller, 100);
    await rateLimits.reconcile(second.tokenCharge!, 350);
    expect(await counter('org-tpm', caller.orgId)).toBe(480);
  });

  it('leaves a closed window alone', async () => {
    const caller = principal({ tpmLimit: 1000 });
    const admitted = await rateLimits.admit(caller, 400);
    await rateLimits.reconcile(admitted.tokenCharge!, 10, admitted.tokenCharge!.windowEndsAt);
    expect(await counter('org-tpm', caller.orgId)).toBe(400);
  });
});

describe('when Redis cannot be reached', () => {
  it('admits the request without rate-limit state', async () => {
    const offline = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const limits = createRateLimits({ redis: offline, prefix, logger: createSilentLogger() });
    expect(await limits.admit(principal({ rpmLimit: 1, tpmLimit: 1 }), 10)).toEqual({});
    offline.disconnect();
  });
});
