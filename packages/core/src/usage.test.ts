import { describe, expect, it } from 'vitest';
import { ledgerEntrySchema, maxReportedTokens, normalizeUsage, type UsageRecord } from './usage.ts';

const usage: UsageRecord = {
  requestId: 'req_1',
  attempt: 1,
  orgId: 'org_1',
  keyId: 'key_1',
  provider: 'openai',
  model: 'gpt-4o-mini',
  inputTokens: 10,
  outputTokens: 5,
  cachedInputTokens: 0,
  estimated: false,
  priceVersion: 'abc',
  costUsd: '0.000004500',
  durationMs: 120,
  queueMs: 3,
  status: 'completed',
  createdAt: 1_700_000_000_000,
};

describe('ledgerEntrySchema', () => {
  it('accepts a usage record and a finished job', () => {
    expect(ledgerEntrySchema.parse({ type: 'usage', record: usage })).toEqual({
      type: 'usage',
      record: { ...usage, cacheWriteInputTokens: 0, cacheHit: false },
    });
    const job = {
      id: 'req_1',
      orgId: 'org_1',
      keyId: 'key_1',
      endpoint: '/v1/chat/completions',
      model: 'fast',
      mode: 'sync',
      status: 'failed',
      error: { code: 'upstream_error', message: 'boom', status: 502 },
      attempts: 2,
      createdAt: 1,
      completedAt: 2,
    };
    expect(ledgerEntrySchema.parse({ type: 'job', record: job }).record).toEqual(job);
  });

  it('reads a record written before cache writes were counted as having none, and keeps them when present', () => {
    const parsed = ledgerEntrySchema.parse({ type: 'usage', record: usage });
    expect(parsed.type === 'usage' && parsed.record.cacheWriteInputTokens).toBe(0);
    const withWrites = ledgerEntrySchema.parse({ type: 'usage', record: { ...usage, cacheWriteInputTokens: 188 } });
    expect(withWrites.type === 'usage' && withWrites.record.cacheWriteInputTokens).toBe(188);
    expect(ledgerEntrySchema.safeParse({ type: 'usage', record: { ...usage, cacheWriteInputTokens: -1 } }).success).toBe(false);
  });

  it("keeps cache writes in a finished job's usage", () => {
    const job = {
      id: 'req_2',
      orgId: 'org_1',
      keyId: 'key_1',
      endpoint: '/v1/messages',
      model: 'claude',
      mode: 'sync',
      status: 'completed',
      attempts: 1,
      createdAt: 1,
      completedAt: 2,
      usage: { inputTokens: 2257, outputTokens: 9, cachedInputTokens: 2048, cacheWriteInputTokens: 188 },
    };
    expect(ledgerEntrySchema.parse({ type: 'job', record: job }).record).toEqual(job);
  });

  it('rejects attempt 0, float costs and unknown statuses', () => {
    expect(ledgerEntrySchema.safeParse({ type: 'usage', record: { ...usage, attempt: 0 } }).success).toBe(false);
    expect(ledgerEntrySchema.safeParse({ type: 'usage', record: { ...usage, costUsd: 0.1 } }).success).toBe(false);
    expect(ledgerEntrySchema.safeParse({ type: 'usage', record: { ...usage, costUsd: '1e-7' } }).success).toBe(false);
    expect(ledgerEntrySchema.safeParse({ type: 'usage', record: { ...usage, status: 'forwarded' } }).success).toBe(false);
  });
});

describe('normalizeUsage', () => {
  it('keeps believable counts as they are, unflagged', () => {
    expect(normalizeUsage({ inputTokens: 12, outputTokens: 7, cachedInputTokens: 4 })).toEqual({ inputTokens: 12, outputTokens: 7, cachedInputTokens: 4 });
  });

  it.each([-5, 1e300, maxReportedTokens + 1, Number.NaN, Number.POSITIVE_INFINITY])('turns %d into 0 and flags the usage as estimated', (count) => {
    expect(normalizeUsage({ inputTokens: count, outputTokens: 3 })).toEqual({ inputTokens: 0, outputTokens: 3, estimated: true });
    expect(normalizeUsage({ inputTokens: 3, outputTokens: count })).toEqual({ inputTokens: 3, outputTokens: 0, estimated: true });
  });

  it('rounds fractional counts', () => {
    expect(normalizeUsage({ inputTokens: 2.6, outputTokens: 1.2 })).toEqual({ inputTokens: 3, outputTokens: 1 });
  });

  it('cuts cache counts down to the input they are part of', () => {
    expect(normalizeUsage({ inputTokens: 10, outputTokens: 1, cachedInputTokens: 50 })).toEqual({
      inputTokens: 10,
      outputTokens: 1,
      cachedInputTokens: 10,
      estimated: true,
    });
    expect(normalizeUsage({ inputTokens: 10, outputTokens: 1, cachedInputTokens: 4, cacheWriteInputTokens: 9 })).toEqual({
      inputTokens: 10,
      outputTokens: 1,
      cachedInputTokens: 4,
      cacheWriteInputTokens: 6,
      estimated: true,
    });
  });

  it('keeps an existing estimated flag', () => {
    expect(normalizeUsage({ inputTokens: 0, outputTokens: 0, estimated: true })).toEqual({ inputTokens: 0, outputTokens: 0, estimated: true });
  });
});
