export {
  createRedis,
  createRedisHealthReporter,
  isCluster,
  reconnectDelayMs,
  redisReachable,
  redisTargetForLogs,
  type RedisConnection,
  type RedisTarget,
} from './connection.ts';
export { startConfigReloadBus, type ConfigInstance, type ConfigReloadBus, type ReloadableConfig } from './config-reload-bus.ts';
export { bumpAuthRevision, readAuthRevision, watchAuthRevision, type AuthRevisionWatch } from './key-revocations.ts';
export { extendIfHeld, releaseIfHeld } from './held-key-scripts.ts';
export { redisScript, type RedisScript } from './redis-script.ts';
export { createInferenceQueues, type InferenceQueue, type InferenceQueues } from './inference-queues.ts';
export {
  alertLeaderKey,
  authRevisionKey,
  batchLockKey,
  batchNudgeChannel,
  breakerKey,
  bullmqPrefix,
  cancelChannel,
  answeredJobKey,
  cancelledJobKey,
  configInstancesKey,
  configReloadChannel,
  idempotencyRecordKey,
  inferenceQueueName,
  ledgerDeadLetterKey,
  ledgerFailuresKey,
  ledgerStreamKey,
  monthToDateSpendKey,
  rateLimitKeyPrefix,
  replyChannel,
  streamKey,
  streamWatchChannel,
  responseCacheEntryKey,
  responseCacheLockKey,
  webhookNudgeChannel,
  condensationSummaryKey,
} from './names.ts';
export { inlineReplyMaxBytes, isCancelRequested, loadStoredReply, publishCancel, publishReply, publishToReplyChannel } from './publish.ts';
export { createReplyBus, type ReplyBus, type ResultWait } from './reply-bus.ts';
export { repliesLocally } from './local-replies.ts';
export { createTokenBatchAppender, type TokenBatchAppender } from './token-stream-append.ts';
export {
  createTokenStreamWriter,
  lastTokenStreamSeq,
  readTokenStream,
  tokenStreamDefaults,
  type TokenStreamWriter,
  type TokenStreamWriterOptions,
} from './token-stream.ts';
export {
  findRequestState,
  loadAnsweredJob,
  loadCancelledJob,
  readRequestState,
  readRequestStateOnRoutes,
  replyFromState,
  saveAnsweredJob,
  saveCancelledJob,
  stateFromReply,
  type CancelledJob,
  type RequestState,
} from './request-state.ts';
export { inferenceJobName, inferenceJobOptions } from './job-options.ts';
export {
  ackLedgerEntries,
  appendLedgerEntries,
  appendLedgerGroup,
  countUnwrittenLedgerEntries,
  deadLetterLedgerEntries,
  readLedgerBatch,
  readMonthToDateSpend,
  recordLedgerFailure,
  storeMonthToDateSpend,
  utcMonth,
  type LedgerBatch,
  type LedgerMessage,
  type RejectedLedgerMessage,
} from './ledger-stream.ts';
export {
  createCircuitBreakers,
  type BreakerSettings,
  type BreakerSnapshot,
  type BreakerTransition,
  type CircuitBreakers,
  type DeploymentBreaker,
} from './circuit-breaker.ts';
export { deploymentOf, type BreakerState, type BreakerTarget, type Deployment } from './circuit-breaker-deployment.ts';
export { providerBreakerState, tripsBreaker, type BreakerTrip, type WindowCounts } from './circuit-breaker-decision.ts';
export { webhookDeliveryLockKey, webhookDestinationSlotsKey, webhookParkedJobsKey, webhookQueueName } from './names.ts';
export { openWebhookQueue } from './webhook-queue.ts';
export { clearChaosOverride, readChaosOverride, writeChaosOverride } from './chaos-settings.ts';
export {
  claimProviderModelsRefresh,
  readProviderModels,
  releaseProviderModelsRefresh,
  requestProviderModelsRefresh,
  storeProviderModels,
  type CachedProviderModels,
} from './provider-models-cache.ts';
export { providerModelsRefreshChannel } from './names.ts';
