import type { BatchView } from './batch-view.ts';

/** OpenAI's `Batch` object, as `openai`'s `client.batches.*` returns it. */
export type OpenAiBatchObject = {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: { object: 'list'; data: { code: string; message: string; param: string | null; line: number | null }[] } | null;
  input_file_id: string | null;
  completion_window: string;
  status: BatchView['status'];
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
  usage: {
    input_tokens: number;
    input_tokens_details: { cached_tokens: number };
    output_tokens: number;
    output_tokens_details: { reasoning_tokens: number };
    total_tokens: number;
  } | null;
  /** A Switchyard addition: what the batch's lines cost, exact decimal dollars. */
  cost_usd: string | null;
};

const seconds = (epochMs: number | null): number | null => (epochMs === null ? null : Math.floor(epochMs / 1000));

/**
 * The batch as OpenAI renders it (Unix seconds, `null` for what has not happened), for
 * `/v1/batches` answers and `batch.*` webhook payloads alike. As at OpenAI,
 * `request_counts` counts cancelled and expired lines in neither `completed` nor `failed`
 * (they still have their line in the error file).
 */
export function renderOpenAiBatch(record: BatchView): OpenAiBatchObject {
  const { counts, usage } = record;
  return {
    id: record.id,
    object: 'batch',
    endpoint: record.endpoint,
    errors:
      record.errors && record.errors.data.length > 0
        ? {
            object: 'list',
            data: record.errors.data.map((problem) => ({
              code: problem.code,
              message: problem.message,
              param: problem.param ?? null,
              line: problem.line ?? null,
            })),
          }
        : null,
    input_file_id: record.inputFileId,
    completion_window: record.completionWindow,
    status: record.status,
    output_file_id: record.outputFileId,
    error_file_id: record.errorFileId,
    created_at: Math.floor(record.createdAt / 1000),
    in_progress_at: seconds(record.inProgressAt),
    expires_at: seconds(record.expiresAt),
    finalizing_at: seconds(record.finalizingAt),
    completed_at: seconds(record.completedAt),
    failed_at: seconds(record.failedAt),
    expired_at: seconds(record.expiredAt),
    cancelling_at: seconds(record.cancellingAt),
    cancelled_at: seconds(record.cancelledAt),
    request_counts: { total: counts.total, completed: counts.completed, failed: counts.failed },
    metadata: record.metadata,
    usage: usage
      ? {
          input_tokens: usage.input_tokens,
          input_tokens_details: { cached_tokens: usage.cached_input_tokens ?? 0 },
          output_tokens: usage.output_tokens,
          output_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0 },
          total_tokens: usage.total_tokens,
        }
      : null,
    cost_usd: record.costUsd,
  };
}
