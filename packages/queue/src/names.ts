// The only place that knows Redis key and channel names.
//
// Redis Cluster (docs/redis-cluster.md): a command or Lua script may only touch keys of one
// hash slot, and a key's slot is that of the text between its first `{` and the next `}`
// when there is one, else of the whole key. So keys used together carry one hash tag: each
// BullMQ queue its own (`bullmqPrefix`), the ledger's side keys that of the ledger stream,
// a webhook destination's keys that destination. Everything else is one key per command.
// `prefix` is letters, digits, `_` and `-` (the config checks), so it never holds a brace.

/** One BullMQ queue per provider. BullMQ forbids `:` in queue names. */
export const inferenceQueueName = (provider: string): string => `inference-${provider}`;

/**
 * BullMQ's `prefix` option for the queue `queueName`: every key of one queue shares its name
 * as hash tag (`<prefix>:{inference-openai}:inference-openai:wait`), so BullMQ's scripts run
 * on a cluster and different queues land on different slots. Every `Queue` and `Worker` must
 * be given this prefix, not the bare one.
 */
export const bullmqPrefix = (prefix: string, queueName: string): string => `${prefix}:{${queueName}}`;

/**
 * A key on the same cluster slot as `anchorKey`: the braces hold the anchor's whole name,
 * which is hashed just like the anchor (it has no braces of its own), so the anchor keeps
 * its name while its companions can share its commands.
 */
const besideKey = (prefix: string, anchorKey: string, suffix: string): string => `${prefix}:{${anchorKey}}:${suffix}`;

/** Pub/sub channel of one api process: results and live stream parts for its requests. */
export const replyChannel = (prefix: string, instanceId: string): string => `${prefix}:reply:${instanceId}`;

/** Broadcast channel telling workers to abort an in-flight request. */
export const cancelChannel = (prefix: string): string => `${prefix}:cancel`;

/** The token stream of one request, replayable after a disconnect. */
export const streamKey = (prefix: string, requestId: string): string => `${prefix}:stream:${requestId}`;

/** A job cancelled before any worker took it: its final job object. */
export const cancelledJobKey = (prefix: string, requestId: string): string => `${prefix}:cancelled:${requestId}`;
/** The ledger record of an answered sync request, readable until the ledger has written it (request-state.ts). */
export const answeredJobKey = (prefix: string, requestId: string): string => `${prefix}:answered:${requestId}`;

/** A request's result stored by reference when too large for a pub/sub message. */
export const storedReplyKey = (prefix: string, requestId: string): string => `${prefix}:reply-body:${requestId}`;

/** Set when a client cancelled a request that a worker holds (running, backing off or paused). */
export const cancelRequestedKey = (prefix: string, requestId: string): string => `${prefix}:cancel-requested:${requestId}`;

/** Shared circuit-breaker state of one deployment (provider + upstream model). */
export const breakerKey = (prefix: string, provider: string, model: string): string => `${prefix}:breaker:${provider}:${model}`;

/** Rate-limit windows (rate-limiter-flexible key prefix) of one kind: key-rpm, org-rpm, org-tpm. */
export const rateLimitKeyPrefix = (prefix: string, limit: string): string => `${prefix}:rl:${limit}`;

/** Pub/sub channel of one request's stream parts, for observers on any api process (GET /v1/jobs/{id}/events). */
export const streamWatchChannel = (prefix: string, requestId: string): string => `${prefix}:stream-watch:${requestId}`;

/** Counter bumped on every key revocation or org change: api processes drop cached principals older than it. */
export const authRevisionKey = (prefix: string): string => `${prefix}:auth:revision`;
/** Where each new value of `authRevisionKey` is published. */
export const authRevisionChannel = (prefix: string): string => `${prefix}:auth:revision:changed`;

/**
 * One client `Idempotency-Key` of one org on one route: the in-flight claim, then the stored
 * answer. The key itself is never in the name, only its SHA-256 (hex).
 */
export const idempotencyRecordKey = (prefix: string, orgId: string, route: string, keyHash: string): string => `${prefix}:idem:${orgId}:${route}:${keyHash}`;

/** The durable ledger queue (a Redis Stream read through one consumer group). */
export const ledgerStreamKey = (prefix: string): string => `${prefix}:ledger`;

/** Ledger entries that can never be written, kept with the reason for a human. */
export const ledgerDeadLetterKey = (prefix: string): string => besideKey(prefix, ledgerStreamKey(prefix), 'dead');

/** Failed write counts per ledger entry, so a poison entry is isolated after a bounded number. */
export const ledgerFailuresKey = (prefix: string): string => besideKey(prefix, ledgerStreamKey(prefix), 'failures');

/** Month-to-date spend of one org (UTC month), cached for the budget check. */
export const monthToDateSpendKey = (prefix: string, orgId: string, month: string): string => `${prefix}:spend:${orgId}:${month}`;

/** The BullMQ queue of webhook deliveries (one job per delivery generation: `<delivery id>-g<generation>`). */
export const webhookQueueName = 'webhooks';

/** Published after a commit that recorded webhook deliveries, so the webhooks service moves them at once instead of at its next poll. */
export const webhookNudgeChannel = (prefix: string): string => `${prefix}:webhooks:nudge`;

// A destination's permit keys are taken in one script: they share the destination as hash tag.

/** Deliveries in flight to one destination (host:port), bounding what one slow receiver can hold. */
export const webhookDestinationSlotsKey = (prefix: string, destination: string): string => `${prefix}:webhooks:{${destination}}:slots`;

/**
 * Held while one process sends one delivery (to `destination`), so duplicate queue jobs of a
 * delivery never send it at the same time.
 */
export const webhookDeliveryLockKey = (prefix: string, destination: string, deliveryId: string): string =>
  `${prefix}:webhooks:{${destination}}:sending:${deliveryId}`;

/** Queue jobs put back while their destination was full, woken one by one as its slots free. */
export const webhookParkedJobsKey = (prefix: string, destination: string): string => `${prefix}:webhooks:{${destination}}:parked`;
/** Held by the driver working on one batch (validate, feed, finalize), so two drivers never do the same step at once. */
export const batchLockKey = (prefix: string, batchId: string): string => `${prefix}:batch:lock:${batchId}`;

/** Published when a batch is created or cancelled, so a driver looks at it now instead of at its next tick. */
export const batchNudgeChannel = (prefix: string): string => `${prefix}:batch:nudge`;

/** Published by a process whose config was reloaded (admin route or SIGHUP): every other process re-reads its own file and environment. */
export const configReloadChannel = (prefix: string): string => `${prefix}:config:reload`;

/** Hash of every live process's config state (instance id -> JSON {kind, version, status, loaded_at, errors}), for GET /v1/admin/config/status. */
export const configInstancesKey = (prefix: string): string => `${prefix}:config:instances`;

/** Held by the one process evaluating alert rules; others wait for it to lapse. */
export const alertLeaderKey = (prefix: string): string => `${prefix}:alerts:leader`;

/** A summary the gateway wrote of condensed conversation turns, by content hash (summarizing condensation). */
export const condensationSummaryKey = (prefix: string, contentHash: string): string => `${prefix}:condensation:summary:${contentHash}`;

/** The fault-injection settings set through PUT /v1/admin/chaos (JSON), overriding the config's `chaos` for every worker. */
export const chaosSettingsKey = (prefix: string): string => `${prefix}:chaos:settings`;

/** One provider's upstream model list as last fetched (JSON {models, last_refresh}), for GET /v1/providers/{name}/models. */
export const providerModelsKey = (prefix: string, provider: string): string => `${prefix}:provider-models:${provider}`;

/** Published by the api (a provider's name) to have a worker serving that provider fetch its model list into `providerModelsKey`. */
export const providerModelsRefreshChannel = (prefix: string): string => `${prefix}:provider-models:refresh`;

/** Held for a few seconds by the one worker fetching a provider's model list, so a refresh is one upstream call, not one per worker. */
export const providerModelsRefreshLockKey = (prefix: string, provider: string): string => `${prefix}:provider-models:${provider}:refreshing`;

// A response-cache entry and its miss lock share the entry's digest as hash tag; the digest already covers the org.

/** One stored answer of the response cache (JSON), expiring with its TTL. */
export const responseCacheEntryKey = (prefix: string, digest: string): string => `${prefix}:cache:{${digest}}:entry`;

/** Held by the one request asking upstream for a missing entry, so identical misses wait for it instead. */
export const responseCacheLockKey = (prefix: string, digest: string): string => `${prefix}:cache:{${digest}}:lock`;
