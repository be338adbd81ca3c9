export { startLedger, type Ledger, type LedgerDeps } from './start-ledger.ts';
export { writeLedgerBatch, type WrittenBatch } from './write-ledger-batch.ts';
