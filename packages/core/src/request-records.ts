// The one home of the messages and records a request's life produces: the reply its
// waiter hears and the job record the ledger stores. Every producer (worker, api cancel,
// stored-state rechecks) builds them here, so they cannot drift apart.
import type { ErrorBody } from './errors.ts';
import type { InferenceJobData, JobOutcome, ReplyMessage } from './jobs.ts';
import { costUsd, type Pricing } from './pricing.ts';
import type { JobRecord } from './usage.ts';

export type FinishedOutcome = JobOutcome & { status: Exclude<JobOutcome['status'], 'forwarded'> };

/** The reply published on the request's `replyTo` (or rebuilt from stored state). */
export function replyOf(data: InferenceJobData, jobId: string, outcome: FinishedOutcome): ReplyMessage {
  return {
    kind: 'result',
    requestId: data.requestId,
    jobId,
    status: outcome.status,
    output: outcome.output,
    error: outcome.error,
    provider: outcome.provider,
    model: outcome.model,
    attempts: outcome.attempts,
    queueMs: outcome.startedAt !== undefined ? outcome.startedAt - data.createdAt : undefined,
    usage: outcome.usage,
    ...(outcome.condensed ? { condensed: outcome.condensed } : {}),
    startedAt: outcome.startedAt,
    completedAt: outcome.completedAt,
  };
}

/**
 * The reply a waiter would have received, rebuilt from the ledger's record of a finished
 * job (a sync job leaves Redis once answered: a missed reply message is read from here).
 * Undefined while the record is not final.
 */
export function replyFromJobRecord(record: JobRecord): ReplyMessage | undefined {
  if (record.status === 'queued' || record.status === 'in_progress' || record.completedAt === undefined) return undefined;
  return {
    kind: 'result',
    requestId: record.id,
    jobId: record.id,
    status: record.status,
    output: record.output,
    // Written from an ErrorBody by jobRecordOf; the schema keeps it loose for older records.
    error: record.error as ErrorBody | undefined,
    provider: record.servedProvider,
    model: record.servedModel,
    attempts: record.attempts,
    queueMs: record.queueMs,
    usage: record.usage,
    ...(record.condensed ? { condensed: record.condensed } : {}),
    startedAt: record.startedAt,
    completedAt: record.completedAt,
  };
}

/**
 * The ledger's record of a job: queued (no outcome yet), in progress (forwarded to the
 * next route) or finished. `pricingOf` prices the usage of the model that served it.
 */
export function jobRecordOf(
  data: InferenceJobData,
  outcome: JobOutcome | undefined,
  pricingOf: (model: string | undefined) => Pricing | undefined = () => undefined,
): JobRecord {
  const record: JobRecord = {
    id: data.requestId,
    orgId: data.orgId,
    keyId: data.keyId,
    endpoint: data.endpoint,
    model: data.requestedModel,
    mode: data.mode,
    status: !outcome ? 'queued' : outcome.status === 'forwarded' ? 'in_progress' : outcome.status,
    attempts: outcome?.attempts ?? 0,
    createdAt: data.createdAt,
  };
  if (data.metadata) record.metadata = data.metadata;
  if (data.webhookUrl) record.webhookUrl = data.webhookUrl;
  if (data.webhookEvents) record.webhookEvents = data.webhookEvents;
  if (data.batchId !== undefined) record.batchId = data.batchId;
  if (data.customId !== undefined) record.customId = data.customId;
  if (!outcome) return record;
  record.completedAt = outcome.completedAt;
  if (outcome.provider) record.servedProvider = outcome.provider;
  if (outcome.model) record.servedModel = outcome.model;
  if (outcome.output !== undefined) record.output = outcome.output;
  if (outcome.error) record.error = outcome.error;
  if (outcome.condensed) record.condensed = outcome.condensed;
  if (outcome.usage) {
    record.usage = outcome.usage;
    const pricing = pricingOf(outcome.model);
    record.costUsd = costUsd(outcome.usage, pricing ?? { input: '0', output: '0' });
  }
  if (outcome.startedAt !== undefined) {
    record.startedAt = outcome.startedAt;
    record.queueMs = Math.max(0, outcome.startedAt - data.createdAt);
    record.durationMs = Math.max(0, outcome.completedAt - outcome.startedAt);
  }
  return record;
}
