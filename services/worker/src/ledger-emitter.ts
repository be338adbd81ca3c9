import type { RedisConnection } from '@switchyard/queue';
import { costUsd, jobRecordOf, priceVersion, type InferenceJobData, type JobOutcome, type LedgerEntry, type UsageRecord } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import { appendLedgerGroup } from '@switchyard/queue';
import type { AttemptEvent } from './process-inference-job.ts';

const noPrice = { input: '0', output: '0' };

/**
 * Turns what the worker did into ledger entries on the durable `ledger` stream: one usage
 * record per attempt that reached a provider, and the finished job. The ledger service is
 * the only writer of Postgres.
 */
export function createLedgerEmitter(options: { redis: RedisConnection; prefix: string; config: SwitchyardConfig }) {
  const { redis, prefix, config } = options;
  const pricingOf = (model: string | undefined) => (model ? config.models[model]?.pricing : undefined) ?? noPrice;

  function usageRecord(event: AttemptEvent): UsageRecord {
    const route = event.data.routes[event.data.routeIndex]!;
    const pricing = pricingOf(route.model);
    const usage = event.usage ?? { inputTokens: 0, outputTokens: 0 };
    return {
      requestId: event.data.requestId,
      attempt: event.attempt,
      orgId: event.data.orgId,
      keyId: event.data.keyId,
      provider: route.provider,
      model: route.model,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedInputTokens: usage.cachedInputTokens ?? 0,
      cacheWriteInputTokens: usage.cacheWriteInputTokens ?? 0,
      estimated: usage.estimated ?? false,
      priceVersion: priceVersion(pricing),
      costUsd: costUsd(usage, pricing),
      durationMs: Math.max(0, event.finishedAt - event.startedAt),
      queueMs: Math.max(0, event.startedAt - event.data.createdAt),
      status: event.status,
      createdAt: event.finishedAt,
    };
  }

  return {
    usageEntry: (event: AttemptEvent): LedgerEntry & { type: 'usage' } => ({ type: 'usage', record: usageRecord(event) }),
    /** The finished job's record; none for a forward (the next route's job finishes it). */
    jobEntries: (data: InferenceJobData, outcome: JobOutcome): LedgerEntry[] =>
      outcome.status === 'forwarded' ? [] : [{ type: 'job', record: jobRecordOf(data, outcome, pricingOf) }],
    /** Everything a job produced, as one stream entry (one command; the ledger writes it whole). */
    append: async (entries: LedgerEntry[]) => {
      await appendLedgerGroup(redis, prefix, entries);
    },
  };
}
