// Ledger entries for tests: deterministic, spread over orgs, keys, models, days and
// fallback attempts, with costs that floats cannot add exactly.
import type { JobRecord, LedgerEntry, UsageRecord } from '@switchyard/core';

export function usageRecord(overrides: Partial<UsageRecord> & Pick<UsageRecord, 'requestId' | 'orgId'>): UsageRecord {
  return {
    attempt: 1,
    keyId: `${overrides.orgId}-key`,
    provider: 'mock',
    model: 'mock-fast',
    inputTokens: 100,
    outputTokens: 50,
    cachedInputTokens: 0,
    estimated: false,
    priceVersion: 'test',
    costUsd: '0.000000225',
    durationMs: 100,
    queueMs: 5,
    status: 'completed',
    createdAt: Date.UTC(2025, 2, 10, 12),
    ...overrides,
  };
}

export function jobRecord(overrides: Partial<JobRecord> & Pick<JobRecord, 'id' | 'orgId'>): JobRecord {
  return {
    keyId: `${overrides.orgId}-key`,
    endpoint: '/v1/chat/completions',
    model: 'fast',
    mode: 'async',
    status: 'completed',
    attempts: 1,
    createdAt: Date.UTC(2025, 2, 10, 12),
    completedAt: Date.UTC(2025, 2, 10, 12, 0, 1),
    ...overrides,
  };
}

const models = ['mock-fast', 'mock-slow', 'gpt-4o-mini'];
const costs = ['0.1', '0.2', '0.000000225', '0.075', '1.000000000000001', '0.3'];

/**
 * `count` requests of `orgId`; every third one failed over (attempt 1 on another model,
 * attempt 2 served), and they straddle a UTC midnight.
 */
export function requestEntries(orgId: string, count: number): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (let index = 0; index < count; index++) {
    const requestId = `${orgId}-req-${index}`;
    const createdAt = Date.UTC(2025, 2, 10, 23, 59, 50) + index * 1000;
    const model = models[index % models.length]!;
    const key = index % 2 === 0 ? `${orgId}-key-a` : `${orgId}-key-b`;
    let attempt = 1;
    if (index % 3 === 0) {
      entries.push({
        type: 'usage',
        record: usageRecord({
          requestId,
          orgId,
          keyId: key,
          attempt,
          model: 'mock-slow',
          status: 'failed',
          costUsd: '0.000000001',
          createdAt,
          inputTokens: 7,
          outputTokens: 0,
        }),
      });
      attempt = 2;
    }
    entries.push({
      type: 'usage',
      record: usageRecord({
        requestId,
        orgId,
        keyId: key,
        attempt,
        model,
        costUsd: costs[index % costs.length]!,
        createdAt: createdAt + 1,
        inputTokens: 10 + index,
        outputTokens: 20 + index,
        durationMs: 100 + index,
      }),
    });
    entries.push({
      type: 'job',
      record: jobRecord({ id: requestId, orgId, keyId: key, servedModel: model, attempts: attempt, createdAt, completedAt: createdAt + 2 }),
    });
  }
  return entries;
}
