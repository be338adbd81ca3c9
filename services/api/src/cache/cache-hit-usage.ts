// A hit is a client request with no upstream call: it reaches the ledger as one usage
// record with no tokens and no cost, flagged as a cache hit, so `/v1/usage` counts it.
import { priceVersion, type LedgerEntry } from '@switchyard/core';
import type { Principal } from '../middleware/authenticate.ts';
import type { CachedAnswer } from './response-cache-store.ts';

export function cacheHitLedgerEntry(options: {
  requestId: string;
  principal: Principal;
  answer: CachedAnswer;
  /** Catalog id the request resolved to, when the entry does not name the serving model. */
  modelId: string;
  receivedAt: number;
}): LedgerEntry {
  const now = Date.now();
  return {
    type: 'usage',
    record: {
      requestId: options.requestId,
      attempt: 1,
      orgId: options.principal.orgId,
      keyId: options.principal.keyId,
      provider: options.answer.provider ?? 'cache',
      model: options.answer.model ?? options.modelId,
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      estimated: false,
      priceVersion: priceVersion({ input: '0', output: '0' }),
      costUsd: '0',
      durationMs: Math.max(0, now - options.receivedAt),
      queueMs: 0,
      status: 'completed',
      createdAt: now,
      cacheHit: true,
    },
  };
}
