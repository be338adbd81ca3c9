import type { BatchRow } from '@switchyard/db';
import type { BatchEndpoint, BatchError, BatchRecord, BatchShell, BatchStatus } from './types.ts';

const epochOrNull = (value: Date | null): number | null => (value === null ? null : value.getTime());

type StoredUsage = { input_tokens: number; output_tokens: number; total_tokens: number };
const noUsage: StoredUsage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };

/** A `batches` row as the engine hands it to the shells. */
export function toBatchRecord(row: BatchRow): BatchRecord {
  const errors = row.errors as BatchError[] | null;
  return {
    id: row.id,
    orgId: row.org_id,
    endpoint: row.endpoint as BatchEndpoint,
    shell: row.shell as BatchShell,
    status: row.status as BatchStatus,
    inputFileId: row.input_file_id,
    outputFileId: row.output_file_id,
    errorFileId: row.error_file_id,
    completionWindow: row.completion_window,
    counts: { total: row.total, completed: row.completed, failed: row.failed, cancelled: row.cancelled, expired: row.expired },
    errors: errors && errors.length > 0 ? { object: 'list', data: errors } : null,
    metadata: (row.metadata as Record<string, string> | null) ?? null,
    createdAt: row.created_at.getTime(),
    inProgressAt: epochOrNull(row.in_progress_at),
    finalizingAt: epochOrNull(row.finalizing_at),
    completedAt: epochOrNull(row.completed_at),
    failedAt: epochOrNull(row.failed_at),
    expiredAt: epochOrNull(row.expired_at),
    cancellingAt: epochOrNull(row.cancelling_at),
    cancelledAt: epochOrNull(row.cancelled_at),
    expiresAt: epochOrNull(row.expires_at),
    usage: (row.usage as StoredUsage | null) ?? noUsage,
    costUsd: row.cost_usd === null ? '0' : normalizeDecimal(row.cost_usd),
  };
}

/** `0.001200` -> `0.0012`, `3.000` -> `3`: Postgres numerics keep trailing zeros. */
function normalizeDecimal(value: string): string {
  if (!value.includes('.')) return value;
  const trimmed = value.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '' || trimmed === '-' ? '0' : trimmed;
}

/** Statuses the driver still works on. */
export const activeBatchStatuses = ['validating', 'in_progress', 'finalizing', 'cancelling'] as const;
