// The engine's vocabulary: what the HTTP shells (OpenAI /v1/batches, Anthropic
// /v1/messages/batches) hand the engine and what they get back.
import type { SwitchyardConfig } from '@switchyard/config';
import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import type { BatchLineOutcome, BatchView } from '@switchyard/formats';
import type { RedisConnection } from '@switchyard/queue';

export const batchEndpoints = ['/v1/chat/completions', '/v1/messages', '/v1/embeddings', '/v1/completions', '/v1/images/generations'] as const;
export type BatchEndpoint = (typeof batchEndpoints)[number];

export type BatchShell = 'openai' | 'anthropic';

export type { BatchLineOutcome, BatchStatus } from '@switchyard/formats';

/** One raw JSONL line of a batch input, with its 0-based position. */
export type BatchLineInput = { index: number; text: string };

export type CreateBatchInput = {
  orgId: string;
  keyId: string;
  endpoint: BatchEndpoint;
  /** Only '24h' is accepted from clients (the config may shorten what it means: `batches.completionWindowSeconds`). */
  completionWindow: string;
  metadata?: Record<string, string>;
  /**
   * A stored file (`purpose: batch`) of `{custom_id, method, url, body}` lines, or the lines
   * themselves: the same shape, or Anthropic's `{custom_id, params}` (the body, url implied).
   */
  source: { fileId: string } | { lines: string[] };
  shell: BatchShell;
};

export type BatchCounts = { total: number; completed: number; failed: number; cancelled: number; expired: number };

export type BatchError = { code: string; message: string; line?: number; param?: string };

/** A batch as the engine keeps it: the renderers' view, narrowed to what the engine always knows. */
export type BatchRecord = BatchView & {
  /** `batch_...` (OpenAI shell) or `msgbatch_...` (Anthropic shell). */
  id: string;
  orgId: string;
  endpoint: BatchEndpoint;
  shell: BatchShell;
  counts: BatchCounts;
  /** Why the batch failed validation as a whole (not per-line errors, which go to the error file). */
  errors: { object: 'list'; data: BatchError[] } | null;
  /** Summed over the batch's line jobs (every attempt the ledger recorded). */
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  /** Exact decimal string. */
  costUsd: string;
};

export type BatchLineResult = {
  index: number;
  /** Null only for a line that was not valid JSON or had no custom_id. */
  customId: string | null;
  outcome: BatchLineOutcome;
  /** `<batch id>-<index>`: the line's job id. */
  requestId: string;
  statusCode: number | null;
  /** The endpoint's sync response body (succeeded) or the error envelope (errored after a call), else null. */
  body: unknown;
  error: { code: string; message: string } | null;
};

export type BatchPage = { data: BatchRecord[]; hasMore: boolean };

/** What the engine's calls need; the api's context has all of it. */
export type BatchEngineDeps = {
  db: Kysely<Database>;
  redis: RedisConnection;
  config: SwitchyardConfig;
  logger: Logger;
};
