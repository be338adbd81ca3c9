export { createRedis, createRedisHealthReporter, reconnectDelayMs, redisReachable, redisUrlForLogs } from './connection.ts';
export { authRevisionKey, bumpAuthRevision, readAuthRevision } from './key-revocations.ts';
export { createInferenceQueues, type InferenceQueue, type InferenceQueues } from './inference-queues.ts';
export { breakerKey, cancelChannel, cancelledJobKey, inferenceQueueName, rateLimitKeyPrefix, replyChannel, streamKey } from './names.ts';
export { publishCancel, publishToReplyChannel } from './publish.ts';
export { createReplyBus, type ReplyBus, type ResultWait } from './reply-bus.ts';
export {
  createTokenStreamWriter,
  lastTokenStreamSeq,
  readTokenStream,
  streamWatchChannel,
  tokenStreamDefaults,
  type TokenStreamWriter,
  type TokenStreamWriterOptions,
} from './token-stream.ts';
export {
  findRequestState,
  loadCancelledJob,
  readRequestState,
  replyFromState,
  saveCancelledJob,
  stateFromReply,
  type CancelledJob,
  type RequestState,
} from './request-state.ts';
export { inferenceJobName, inferenceJobOptions } from './job-options.ts';
export {
  ackLedgerEntries,
  appendLedgerEntries,
  deadLetterLedgerEntries,
  ledgerDeadLetterKey,
  ledgerStreamKey,
  monthToDateSpendKey,
  readLedgerBatch,
  readMonthToDateSpend,
  storeMonthToDateSpend,
  utcMonth,
  type LedgerBatch,
  type LedgerMessage,
} from './ledger-stream.ts';
export {
  createCircuitBreakers,
  type BreakerSettings,
  type BreakerSnapshot,
  type BreakerState,
  type BreakerTransition,
  type CircuitBreakers,
} from './circuit-breaker.ts';
