// The batch engine: the shells create, read, list and cancel batches through these calls;
// the driver (in `ledger` and `all`) validates, feeds, finalizes and expires them.
export type {
  BatchCounts,
  BatchEndpoint,
  BatchEngineDeps,
  BatchError,
  BatchLineInput,
  BatchLineOutcome,
  BatchLineResult,
  BatchPage,
  BatchRecord,
  BatchShell,
  BatchStatus,
  CreateBatchInput,
} from './types.ts';
export { batchEndpoints } from './types.ts';
export { cancelBatch, createBatch, getBatch, listBatches } from './batches.ts';
export { readBatchResults } from './read-results.ts';
export { startBatchDriver, type BatchDriver } from './driver/start-driver.ts';
export { maxBatchLines, parseCompletionWindow } from './limits.ts';
