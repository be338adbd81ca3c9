// What the ledger records: one usage record per provider attempt, and the finished job.
// Both travel on the durable `ledger` stream as JSON, so they are validated on arrival.
import { z } from 'zod';

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
});
/** As producers write it: fields with a default may be left out, as in records already on the stream. */
export type UsageRecord = z.input<typeof usageRecordSchema>;

const usageSchema = z.object({
  inputTokens: count,
  outputTokens: count,
  cachedInputTokens: count.optional(),
  cacheWriteInputTokens: count.optional(),
  estimated: z.boolean().optional(),
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
  attempts: count,
  usage: usageSchema.optional(),
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
