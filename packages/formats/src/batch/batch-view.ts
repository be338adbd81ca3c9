// What the batch renderers read from the engine's records (services/batches' BatchRecord
// and BatchLineResult satisfy these structurally; formats depends on no service).

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

/** One problem with the batch as a whole (OpenAI's `errors.data[]`): a bad input file, too many lines, ... */
export type BatchProblemView = { code: string; message: string; line?: number | null; param?: string | null };

/** Summed over the batch's lines. */
export type BatchUsageView = { input_tokens: number; output_tokens: number; total_tokens: number; cached_input_tokens?: number; reasoning_tokens?: number };

export type BatchView = {
  id: string;
  endpoint: string;
  status: BatchStatus;
  inputFileId: string | null;
  outputFileId: string | null;
  errorFileId: string | null;
  completionWindow: string;
  counts: { total: number; completed: number; failed: number; cancelled: number; expired: number };
  /** Why the batch failed as a whole (line errors go to the error file). */
  errors: { object: 'list'; data: readonly BatchProblemView[] } | null;
  metadata: Record<string, string> | null;
  /** Epoch milliseconds. */
  createdAt: number;
  inProgressAt: number | null;
  finalizingAt: number | null;
  completedAt: number | null;
  failedAt: number | null;
  expiredAt: number | null;
  cancellingAt: number | null;
  cancelledAt: number | null;
  expiresAt: number | null;
  usage: BatchUsageView | null;
  /** Exact decimal, as the ledger keeps it. */
  costUsd: string | null;
};

export type BatchLineOutcome = 'succeeded' | 'errored' | 'canceled' | 'expired';

/** Why one line failed: a gateway error code (`invalid_request`, `model_not_found`, `batch_expired`, ...). */
export type BatchLineErrorView = { code: string; message: string; type?: string | null; param?: string | null };

export type BatchLineView = {
  /** The line's 0-based position in the input. */
  index: number;
  /** Null when the line was not JSON or had no custom_id. */
  customId: string | null;
  outcome: BatchLineOutcome;
  /** The line's gateway request (job) id, `<batch id>-<index>`. */
  requestId: string | null;
  /** The HTTP status the endpoint answered, when it answered. */
  statusCode: number | null;
  /** The endpoint's response body: its answer, or its error envelope. */
  body: unknown;
  error: BatchLineErrorView | null;
};
