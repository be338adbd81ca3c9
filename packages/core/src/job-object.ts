// The public job object (docs/api.md, "The job object"), rendered here so the api (GET
// /v1/jobs/{id}) and the ledger (the `data` of a job's webhook event) give the same bytes.
import type { Usage } from './canonical.ts';
import type { ErrorBody } from './errors.ts';
import type { InferenceEndpoint, JobStatus } from './jobs.ts';
import { costUsd, type Pricing } from './pricing.ts';
import type { JobRecord } from './usage.ts';

export type JobObject = {
  id: string;
  object: 'job';
  status: JobStatus;
  endpoint: InferenceEndpoint;
  model: string;
  created_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  output: unknown;
  error: { message: string; type: string; code: string; param: string | null } | null;
  /** `images` only on image generations. */
  usage: { input_tokens: number; output_tokens: number; total_tokens: number; cached_input_tokens: number; estimated: boolean; images?: number } | null;
  cost_usd: string | null;
  attempts: number;
  provider: string | null;
  served_model: string | null;
  /** Present when the request was condensed to fit the model's context. */
  condensed?: 'truncated' | 'summarized';
  metadata: Record<string, string>;
};

/** Epoch ms as the Unix seconds of the job object; absent stays null. */
export const unixSeconds = (epochMs: number | undefined): number | null => (epochMs ? Math.floor(epochMs / 1000) : null);

/** A job's usage as the job object shows it. */
export function renderJobUsage(usage: Usage | undefined): JobObject['usage'] {
  if (!usage) return null;
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    cached_input_tokens: usage.cachedInputTokens ?? 0,
    estimated: usage.estimated ?? false,
    ...(usage.images !== undefined ? { images: usage.images } : {}),
  };
}

/** The OpenAI-style error of a job object; records keep at least code and message. */
export function renderJobError(error: (Partial<ErrorBody> & { code: string; message: string }) | undefined): JobObject['error'] {
  return error ? { message: error.message, type: error.type ?? 'api_error', code: error.code, param: error.param ?? null } : null;
}

/**
 * The job object of a job as the ledger recorded it. `pricingOf` only prices records older
 * than the recorded cost (the ledger's cost is the bill); without it those show no cost.
 */
export function renderJobRecordObject(record: JobRecord, pricingOf: (model: string) => Pricing | undefined = () => undefined): JobObject {
  const usage = record.usage;
  const pricing = record.servedModel ? pricingOf(record.servedModel) : undefined;
  return {
    id: record.id,
    object: 'job',
    status: record.status,
    endpoint: record.endpoint as InferenceEndpoint,
    model: record.model,
    created_at: unixSeconds(record.createdAt),
    started_at: unixSeconds(record.startedAt),
    completed_at: unixSeconds(record.completedAt),
    output: record.output ?? null,
    // Workers record the ErrorBody of the failure; the record's schema only insists on code and message.
    error: renderJobError(record.error as ErrorBody | undefined),
    usage: renderJobUsage(usage),
    cost_usd: record.costUsd ?? (usage && pricing ? costUsd(usage, pricing) : null),
    attempts: record.attempts,
    provider: record.servedProvider ?? null,
    served_model: record.servedModel ?? null,
    ...(record.condensed ? { condensed: record.condensed } : {}),
    metadata: record.metadata ?? {},
  };
}
