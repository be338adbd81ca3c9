export { startLedger, type Ledger, type LedgerDeps } from './start-ledger.ts';
export { writeLedgerBatch, type WrittenBatch } from './write-ledger-batch.ts';
export { createLedgerMetrics, type DeadLetterReason, type LedgerMetrics } from './ledger-metrics.ts';
