import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError, newId } from '@switchyard/core';
import { createDb, migrateToLatest, type DbHandle } from '@switchyard/db';
import { createSilentLogger } from '@switchyard/logger';
import { monthToDateSpendKey, utcMonth } from '@switchyard/queue';
import { createTestDatabase, deletePrefix, testRedis, uniquePrefix, type TestDatabase } from '@switchyard/testing';
import type { Principal } from '../middleware/authenticate.ts';
import { createBudgetCheck } from './budget.ts';

const prefix = uniquePrefix('budget');
const now = Date.UTC(2025, 5, 20, 12);
let redisUrl: string;
let redis: Redis;
let testDatabase: TestDatabase;
let database: DbHandle;
let checkBudget: ReturnType<typeof createBudgetCheck>;

beforeAll(async () => {
  redisUrl = (await testRedis()).url;
  redis = new Redis(redisUrl);
  testDatabase = await createTestDatabase();
  database = await createDb({ url: testDatabase.url });
  await migrateToLatest(database.db);
  checkBudget = createBudgetCheck({ redis, db: database.db, prefix, logger: createSilentLogger() });
});

afterAll(async () => {
  await redis?.quit();
  await database?.close();
  await testDatabase?.drop();
  await deletePrefix(redisUrl, prefix);
});

function principal(monthlyBudgetUsd: string | null): Principal {
  return { keyId: newId('key', 8), orgId: newId('org', 8), org: { monthlyBudgetUsd, rpmLimit: null, tpmLimit: null } };
}

/** Usage as the ledger would have rolled it up (this test stands in for the ledger). */
async function recordSpend(orgId: string, day: string, costUsd: string) {
  await database.db
    .insertInto('usage_daily')
    .values({
      org_id: orgId,
      key_id: 'key',
      model: 'gpt-4o',
      day,
      attempts: 1,
      input_tokens: 1,
      output_tokens: 1,
      cached_input_tokens: 0,
      cost_usd: costUsd,
      duration_ms_total: 1,
    })
    .execute();
}

const cacheKey = (orgId: string) => monthToDateSpendKey(prefix, orgId, utcMonth(now));

async function refusal(caller: Principal): Promise<GatewayError | undefined> {
  try {
    await checkBudget(caller, now);
    return undefined;
  } catch (error) {
    return error as GatewayError;
  }
}

describe('monthly budget', () => {
  it('does not look anything up for an org without a budget', async () => {
    const caller = principal(null);
    expect(await refusal(caller)).toBeUndefined();
    expect(await redis.exists(cacheKey(caller.orgId))).toBe(0);
  });

  it('admits an org under its budget, caching the month-to-date spend read from Postgres', async () => {
    const caller = principal('1.00');
    await recordSpend(caller.orgId, '2025-06-03', '0.4');
    await recordSpend(caller.orgId, '2025-05-31', '5');
    expect(await refusal(caller)).toBeUndefined();
    expect(await redis.get(cacheKey(caller.orgId))).toBe('0.4');
  });

  it('refuses an org exactly at its budget with 429 budget_exceeded and a Retry-After to the next UTC month', async () => {
    const caller = principal('0.300000000');
    await recordSpend(caller.orgId, '2025-06-01', '0.1');
    await recordSpend(caller.orgId, '2025-06-19', '0.2');
    const error = await refusal(caller);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'budget_exceeded', status: 429, type: 'rate_limit_error' });
    expect(error!.message).toContain('$0.3');
    expect(error!.retryAfterMs).toBe(Date.UTC(2025, 6, 1) - now);
  });

  it('trusts the cached spend the ledger keeps in Redis', async () => {
    const caller = principal('2');
    await redis.set(cacheKey(caller.orgId), '2.000000000000001');
    expect((await refusal(caller))?.code).toBe('budget_exceeded');
    await redis.set(cacheKey(caller.orgId), '1.999999999999999');
    expect(await refusal(caller)).toBeUndefined();
  });
});
