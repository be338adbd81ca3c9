import type { Redis } from 'ioredis';
import { costUsd, priceVersion, type InferenceJobData, type JobOutcome, type JobRecord, type LedgerEntry, type UsageRecord } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import { appendLedgerEntries } from '@switchyard/queue';
import type { AttemptEvent } from './process-inference-job.ts';

const noPrice = { input: '0', output: '0' };

/**
 * Turns what the worker did into ledger entries on the durable `ledger` stream: one usage
 * record per attempt that reached a provider, and the finished job. The ledger service is
 * the only writer of Postgres.
 */
export function createLedgerEmitter(options: { redis: Redis; prefix: string; config: SwitchyardConfig }) {
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

  function jobRecord(data: InferenceJobData, outcome: JobOutcome): JobRecord {
    const record: JobRecord = {
      id: data.requestId,
      orgId: data.orgId,
      keyId: data.keyId,
      endpoint: data.endpoint,
      model: data.requestedModel,
      mode: data.mode,
      status: outcome.status === 'forwarded' ? 'in_progress' : outcome.status,
      attempts: outcome.attempts,
      createdAt: data.createdAt,
      completedAt: outcome.completedAt,
    };
    if (outcome.provider) record.servedProvider = outcome.provider;
    if (outcome.model) record.servedModel = outcome.model;
    if (outcome.output !== undefined) record.output = outcome.output;
    if (outcome.error) record.error = outcome.error;
    if (data.metadata) record.metadata = data.metadata;
    if (outcome.usage) {
      record.usage = outcome.usage;
      record.costUsd = costUsd(outcome.usage, pricingOf(outcome.model));
    }
    if (outcome.startedAt !== undefined) {
      record.startedAt = outcome.startedAt;
      record.queueMs = Math.max(0, outcome.startedAt - data.createdAt);
      record.durationMs = Math.max(0, outcome.completedAt - outcome.startedAt);
    }
    return record;
  }

  return {
    usageEntry: (event: AttemptEvent): LedgerEntry => ({ type: 'usage', record: usageRecord(event) }),
    /** The finished job's record; none for a forward (the next route's job finishes it). */
    jobEntries: (data: InferenceJobData, outcome: JobOutcome): LedgerEntry[] =>
      outcome.status === 'forwarded' ? [] : [{ type: 'job', record: jobRecord(data, outcome) }],
    /** One pipelined round trip for everything a job produced. */
    append: async (entries: LedgerEntry[]) => {
      if (entries.length > 0) await appendLedgerEntries(redis, prefix, entries);
    },
    jobRecord,
  };
}

export type LedgerEmitter = ReturnType<typeof createLedgerEmitter>;
