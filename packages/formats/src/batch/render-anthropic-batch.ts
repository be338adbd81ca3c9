import type { BatchStatus, BatchView } from './batch-view.ts';

/** Anthropic's `MessageBatch`, as `@anthropic-ai/sdk`'s `client.messages.batches.*` returns it. */
export type AnthropicBatchObject = {
  id: string;
  type: 'message_batch';
  processing_status: 'in_progress' | 'canceling' | 'ended';
  request_counts: { processing: number; succeeded: number; errored: number; canceled: number; expired: number };
  ended_at: string | null;
  created_at: string;
  expires_at: string | null;
  cancel_initiated_at: string | null;
  archived_at: null;
  results_url: string | null;
};

const endedStatuses: ReadonlySet<BatchStatus> = new Set(['completed', 'failed', 'expired', 'cancelled']);

const rfc3339 = (epochMs: number | null): string | null => (epochMs === null ? null : new Date(epochMs).toISOString());

/** Anthropic's three processing states over the engine's eight. */
export function anthropicProcessingStatus(status: BatchStatus): AnthropicBatchObject['processing_status'] {
  if (endedStatuses.has(status)) return 'ended';
  return status === 'cancelling' ? 'canceling' : 'in_progress';
}

/**
 * The batch as Anthropic renders it (RFC 3339 times). `results_url` is given once the batch
 * has ended, as Anthropic does; the SDK's `results()` follows it.
 */
export function renderAnthropicBatch(record: BatchView, resultsUrl: string): AnthropicBatchObject {
  const { counts } = record;
  const processingStatus = anthropicProcessingStatus(record.status);
  const ended = processingStatus === 'ended';
  const settled = counts.completed + counts.failed + counts.cancelled + counts.expired;
  return {
    id: record.id,
    type: 'message_batch',
    processing_status: processingStatus,
    request_counts: {
      processing: ended ? 0 : Math.max(0, counts.total - settled),
      succeeded: counts.completed,
      errored: counts.failed,
      canceled: counts.cancelled,
      expired: counts.expired,
    },
    ended_at: ended ? rfc3339(record.completedAt ?? record.cancelledAt ?? record.expiredAt ?? record.failedAt) : null,
    created_at: new Date(record.createdAt).toISOString(),
    expires_at: rfc3339(record.expiresAt),
    cancel_initiated_at: rfc3339(record.cancellingAt),
    archived_at: null,
    results_url: ended ? resultsUrl : null,
  };
}
