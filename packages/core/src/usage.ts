// What the ledger records: one usage record per provider attempt, and the finished job.
// Both travel on the durable `ledger` stream as JSON, so they are validated on arrival.
import { z } from 'zod';
import type { Usage } from './canonical.ts';

const usd = z.string().regex(/^\d+(\.\d{1,15})?$/, 'a non-negative decimal USD amount with at most 15 fraction digits');
const count = z.number().int().nonnegative();
const epochMs = z.number().int().nonnegative();

export const usageRecordSchema = z.object({
  requestId: z.string().min(1),
  /** 1-based and unique per request across fallbacks: route attempts are numbered continuously. */
  attempt: z.number().int().min(1),
  orgId: z.string().min(1),
  keyId: z.string().min(1),
  provider: z.string().min(1),
  /** The catalog id of the model that served this attempt. */
  model: z.string().min(1),
  inputTokens: count,
  outputTokens: count,
  cachedInputTokens: count,
  /** Part of inputTokens; records written before cache writes were counted have none. */
  cacheWriteInputTokens: count.default(0),
  estimated: z.boolean(),
  priceVersion: z.string().min(1),
  costUsd: usd,
  durationMs: count,
  queueMs: count,
  status: z.enum(['completed', 'failed', 'cancelled', 'expired']),
  createdAt: epochMs,
  /** Answered by the response cache: no upstream call, so no tokens and no cost. */
  cacheHit: z.boolean().default(false),
});
/** As producers write it: fields with a default may be left out, as in records already on the stream. */
export type UsageRecord = z.input<typeof usageRecordSchema>;

const usageSchema = z.object({
  inputTokens: count,
  outputTokens: count,
  cachedInputTokens: count.optional(),
  cacheWriteInputTokens: count.optional(),
  estimated: z.boolean().optional(),
  /** Images generated (`/v1/images/generations`), each billed at the model's image price. */
  images: count.optional(),
});

const errorBodySchema = z.looseObject({ code: z.string(), message: z.string() });

export const jobRecordSchema = z.object({
  id: z.string().min(1),
  orgId: z.string().min(1),
  keyId: z.string().min(1),
  endpoint: z.string().min(1),
  /** The model the client asked for. */
  model: z.string().min(1),
  servedProvider: z.string().optional(),
  servedModel: z.string().optional(),
  mode: z.enum(['sync', 'async', 'batch']),
  status: z.enum(['queued', 'in_progress', 'completed', 'failed', 'cancelled', 'expired']),
  /** Exactly the body the endpoint returned. */
  output: z.unknown().optional(),
  error: errorBodySchema.optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  /** The job's own webhook destination (`POST /v1/jobs` `webhook_url`), on every record of the job. */
  webhookUrl: z.string().optional(),
  /** The event types `webhookUrl` receives; absent means every `job.*` type. */
  webhookEvents: z.array(z.string()).optional(),
  attempts: count,
  usage: usageSchema.optional(),
  /** Set when the request was condensed to fit the model's context. */
  condensed: z.enum(['truncated', 'summarized']).optional(),
  /** Total over every attempt of the request. */
  costUsd: usd.optional(),
  batchId: z.string().optional(),
  customId: z.string().optional(),
  createdAt: epochMs,
  startedAt: epochMs.optional(),
  /** Required once the job is finished; absent while queued or in progress. */
  completedAt: epochMs.optional(),
  queueMs: count.optional(),
  durationMs: count.optional(),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

export const ledgerEntrySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('usage'), record: usageRecordSchema }),
  z.object({ type: z.literal('job'), record: jobRecordSchema }),
]);
export type LedgerEntry = z.input<typeof ledgerEntrySchema>;

/**
 * The largest token count believed for one call: far above any context window, and far
 * below where sums and costs lose precision. A provider reporting more, or a negative
 * count, is wrong, and its number must not reach the ledger.
 */
export const maxReportedTokens = 100_000_000;

const countFields = ['inputTokens', 'outputTokens', 'cachedInputTokens', 'cacheWriteInputTokens'] as const satisfies ReadonlyArray<keyof Usage>;

/** One reported count as a non-negative integer, or undefined when it is not believable. */
export function normalizeTokenCount(value: number): number | undefined {
  return Number.isFinite(value) && value >= 0 && value <= maxReportedTokens ? Math.round(value) : undefined;
}

/**
 * Usage as a provider reported it (OpenAI's way: cache counts are parts of the input) ->
 * usage the ledger can take: every count a non-negative integer up to
 * `maxReportedTokens`. A count that is not believable becomes 0 and the usage is flagged
 * `estimated` (a stream's estimate then replaces the zeros); fractions are rounded.
 */
export function normalizeUsage(usage: Usage): Usage {
  const result: Usage = { ...usage };
  for (const field of countFields) {
    const value = usage[field];
    if (value === undefined) continue;
    const count = normalizeTokenCount(value);
    result[field] = count ?? 0;
    if (count === undefined) result.estimated = true;
  }
  // Cache reads and writes are parts of the input: more of them than input is inconsistent,
  // and they are cut down (never the input raised) so nobody is billed more than reported.
  if (result.cachedInputTokens !== undefined && result.cachedInputTokens > result.inputTokens) {
    result.cachedInputTokens = result.inputTokens;
    result.estimated = true;
  }
  const uncached = result.inputTokens - (result.cachedInputTokens ?? 0);
  if (result.cacheWriteInputTokens !== undefined && result.cacheWriteInputTokens > uncached) {
    result.cacheWriteInputTokens = uncached;
    result.estimated = true;
  }
  return result;
}
