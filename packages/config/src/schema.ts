// Every object is strict: an unknown key (a typo such as `lockDurationMS`) stops start-up
// instead of being ignored. Open records remain where names are the user's own (providers,
// models, aliases, headers) and for `options`: provider options are checked per kind by
// @switchyard/providers when the config loads; model options are passed to the adapter as is.
import { createHash } from 'node:crypto';
import { defaultSummaryMaxTokens } from '@switchyard/core';
import { providerKinds } from '@switchyard/providers/settings';
import { z } from 'zod';

// Decimal USD per million tokens, kept as a string so prices stay exact.
const price = z.union([z.string(), z.number()]).transform((value, context) => {
  const text = String(value).trim();
  if (!/^\d+(\.\d{1,9})?$/.test(text)) {
    context.addIssue({ code: 'custom', message: `must be a non-negative decimal with at most 9 fraction digits, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return text;
});

export { providerKinds };

export const providerSchema = z.strictObject({
  kind: z.enum(providerKinds),
  baseUrl: z.string().url().optional(),
  apiKey: z.string().min(1).optional(),
  /** Unset: the kind or preset decides (self-hosted servers need none); a provider missing a key it needs is disabled. */
  requiresApiKey: z.boolean().optional(),
  /** Forced on or off; unset means "on when it has what it needs". */
  enabled: z.boolean().optional(),
  /** Concurrent upstream calls per worker process. */
  concurrency: z.number().int().positive().default(64),
  /** Concurrent upstream calls across ALL worker processes (queue-level); unset = no global cap. */
  maxConcurrency: z.number().int().positive().optional(),
  /** Upstream requests per minute across all workers (queue-level); 0 = unlimited. */
  requestsPerMinute: z.number().int().nonnegative().default(0),
  /** Waiting jobs beyond which the api answers 429 queue_full. */
  maxQueueDepth: z.number().int().positive().default(10_000),
  timeoutMs: z.number().int().positive().default(120_000),
  /** Largest upstream response body read (bytes, a stream's whole length included); past it the call fails with 502. */
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /** Attempts per route for retryable errors (1 = no retry). */
  attempts: z.number().int().min(1).max(10).default(3),
  /** Sent with every upstream call (every kind); the adapter's own auth headers win on a clash. */
  headers: z.record(z.string(), z.string()).default({}),
  /** The same as `headers` (merged into it at load; these win on a clash), for configs written that way. */
  customHeaders: z.record(z.string(), z.string()).optional(),
  /** Connections to the upstream per worker process; unset = no limit (`concurrency` bounds calls in flight). */
  maxConnections: z.number().int().positive().optional(),
  /** How long an idle kept-alive upstream connection stays open (undici's default: 4 s). */
  keepAliveTimeoutMs: z.number().int().positive().optional(),
  /** Circuit breaker shared by every worker through Redis. */
  breaker: z
    .strictObject({
      /** Failures within `windowMs` that open a deployment's breaker; default 5 unless `failureRatio` is set. */
      failureThreshold: z.number().int().positive().optional(),
      /** Opens when at least `minimumCalls` calls in the window failed at this ratio or more. */
      failureRatio: z.number().gt(0).max(1).optional(),
      /** Calls the window must hold before `failureRatio` counts (default 20). */
      minimumCalls: z.number().int().positive().optional(),
      windowMs: z.number().int().positive().default(30_000),
      openMs: z.number().int().positive().default(15_000),
      halfOpenProbes: z.number().int().positive().default(1),
      successesToClose: z.number().int().positive().default(1),
    })
    .prefault({}),
  /** Azure OpenAI `api-version`; Anthropic `anthropic-version`. */
  apiVersion: z.string().optional(),
  /** Provider-specific knobs (a preset, the mock's latency), checked per kind at load. */
  options: z.record(z.string(), z.unknown()).default({}),
});

/** One provider serving a catalog model, LiteLLM-router style. */
export const deploymentSchema = z.strictObject({
  provider: z.string().min(1),
  /** The id this provider knows the model by; defaults to the catalog id. */
  upstreamModel: z.string().min(1).optional(),
  /** Share of traffic under `strategy: weighted` (relative to the others). */
  weight: z.number().positive().default(1),
  /** Under `strategy: priority`, lower runs first. */
  priority: z.number().int().default(0),
});

export const deploymentStrategies = ['weighted', 'least-busy', 'priority'] as const;

export const modelSchema = z.strictObject({
  /** The one provider serving the model; or list several under `deployments` instead. */
  provider: z.string().min(1).optional(),
  /** The id the provider knows the model by; defaults to the catalog id. */
  upstreamModel: z.string().min(1).optional(),
  /**
   * USD per million tokens; cache reads (`cachedInput`) and cache writes (`cacheWrite`) bill at `input` unless priced.
   * `image` is USD per generated image (`/v1/images/generations`).
   */
  pricing: z
    .strictObject({ input: price, output: price, cachedInput: price.optional(), cacheWrite: price.optional(), image: price.optional() })
    .default({ input: '0', output: '0' }),
  contextLength: z.number().int().positive().default(128_000),
  maxOutputTokens: z.number().int().positive().default(4096),
  capabilities: z
    .strictObject({
      chat: z.boolean().default(true),
      streaming: z.boolean().default(true),
      tools: z.boolean().default(true),
      vision: z.boolean().default(false),
      embeddings: z.boolean().default(false),
      completions: z.boolean().default(false),
      /** Serves `/v1/images/generations`. */
      images: z.boolean().default(false),
    })
    .default({ chat: true, streaming: true, tools: true, vision: false, embeddings: false, completions: false, images: false }),
  fallbacks: z.array(z.string()).default([]),
  options: z.record(z.string(), z.unknown()).default({}),
  /** Several providers (or upstream models) serving this one catalog model (docs/deployments.md). */
  deployments: z.array(deploymentSchema).min(1).optional(),
  /** How each request orders the deployments before the fallback models' ones. */
  strategy: z.enum(deploymentStrategies).default('weighted'),
  /** Pins the model to one deployment: its index in `deployments` or its provider's name. */
  forced: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
  /**
   * Off when absent. When the request is longer than `contextLength` (the gateway's estimate)
   * or the provider says so, drop the oldest turns (`truncate`) or replace them by a summary
   * written by `summaryModel` (default this model) in at most `summaryMaxTokens` (`summarize`),
   * then call again once.
   */
  condensation: z
    .strictObject({
      strategy: z.enum(['truncate', 'summarize']),
      summaryModel: z.string().min(1).optional(),
      summaryMaxTokens: z.number().int().positive().default(defaultSummaryMaxTokens),
    })
    .optional(),
  /** Response cache for this model (and every alias of it); absent: only `x-switchyard-cache: use` caches. */
  cache: z
    .strictObject({
      ttlSeconds: z.number().int().positive(),
      /** Also cache chats and completions whose `temperature` is absent or above 0. */
      allowNonDeterministic: z.boolean().default(false),
    })
    .optional(),
});

/**
 * A static key is hashed as it is parsed: the loaded config (kept for the process's life,
 * reloaded, fingerprinted) holds only its SHA-256, never the plaintext.
 */
const staticApiKeySchema = z
  .strictObject({
    key: z.string().min(16, 'must be at least 16 characters'),
    /** An existing organisation's id (`org_…`) or its exact name. */
    org: z.string().min(1),
    /** Shown as the key's name in usage (`static:<name>`); defaults to its position. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . and - only')
      .optional(),
  })
  .transform(({ key, ...rest }) => ({ ...rest, keyHash: createHash('sha256').update(key, 'utf8').digest('hex') }));

const authSchema = z
  .strictObject({
    apiKeys: z.array(staticApiKeySchema).default([]),
    /** One more request header that carries the API key, besides `Authorization: Bearer` and `x-api-key` (e.g. `x-goog-api-key`). */
    apiKeyHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'a header name: letters, digits and - only')
      .transform((name) => name.toLowerCase())
      .optional(),
  })
  .prefault({});
/** One fault to inject before an upstream call (services/worker/src/fault-injection.ts). */
export const chaosRuleSchema = z.strictObject({
  /** Absent: every provider. */
  provider: z.string().min(1).optional(),
  /** A catalog model id; absent: every model. */
  model: z.string().min(1).optional(),
  /** delay: wait `duration_ms` then call; error: answer `status` as the upstream would; stall: wait until the call's timeout or deadline. */
  type: z.enum(['delay', 'error', 'stall']),
  probability: z.number().min(0).max(1),
  duration_ms: z.number().int().nonnegative().optional(),
  /** The upstream HTTP status an `error` rule pretends (default 500). */
  status: z.number().int().min(400).max(599).optional(),
});

/** Fault injection for drills: off unless `enabled` is set, here or through PUT /v1/admin/chaos. */
export const chaosSchema = z.strictObject({
  enabled: z.boolean().default(false),
  rules: z.array(chaosRuleSchema).default([]),
  /** Seeds the draws, for reproducible drills and tests; absent: Math.random. */
  seed: z.number().int().optional(),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      port: z.number().int().min(0).max(65535).default(8080),
      host: z.string().default('0.0.0.0'),
      bodyLimitBytes: z
        .number()
        .int()
        .positive()
        .default(4 * 1024 * 1024),
      /** How long a sync request may wait for its answer before 504. */
      syncTimeoutMs: z.number().int().positive().default(120_000),
      /** When set, GET /metrics wants `Authorization: Bearer <metricsKey>`. */
      metricsKey: z.string().min(16, 'must be at least 16 characters').optional(),
      /** Longest `Prefer: wait=N` honoured, in seconds. */
      maxPreferWaitSeconds: z.number().int().positive().default(60),
      /** Where `worker`, `ledger` and `webhooks` serve GET /metrics (METRICS_PORT, `--metrics-port`); absent: not served. The api serves it on its own port. */
      metricsPort: z.number().int().min(0).max(65535).optional(),
      /**
       * On SIGTERM the api stops listening and serves what it holds (sync calls, streams, requests
       * on kept-alive connections) for up to this long, then cuts what is left (SWITCHYARD_DRAIN_TIMEOUT_MS).
       */
      drainTimeoutMs: z.number().int().nonnegative().default(30_000),
      /** `_proxy_info {provider, attempt_number, response_time, request_id}` on non-stream OpenAI-format bodies. */
      proxyInfo: z.boolean().default(true),
    })
    .prefault({}),
  redis: z
    .strictObject({
      url: z.string().default('redis://127.0.0.1:6379'),
      /** BullMQ key prefix; tests use a unique one per run. */
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
        .default('sy'),
      /**
       * Seed nodes of a Redis Cluster (`host:port`, REDIS_CLUSTER_NODES comma-separated). When
       * set, every process connects to the cluster and `url` is ignored (docs/redis-cluster.md).
       */
      clusterNodes: z
        .array(z.string().regex(/^[^\s:/@]+:\d{1,5}$/, 'host:port expected'))
        .min(1, 'at least one host:port')
        .optional(),
    })
    .prefault({}),
  database: z
    .strictObject({
      /** Absent: embedded PGlite under `dataDir` (single-process `all` only). */
      url: z.string().optional(),
      dataDir: z.string().default('.data/pglite'),
    })
    .prefault({}),
  adminKey: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Seals stored secrets (webhook signing secrets) with AES-256-GCM; without it they are stored in plaintext. */
  encryptionKey: z.string().min(16, 'must be at least 16 characters').optional(),
  webhooks: z
    .strictObject({
      /** Delay before each retry after a failed delivery (published schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h). */
      retryScheduleSeconds: z.array(z.number().nonnegative()).default([5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400]),
      /** One delivery attempt's whole budget: connect, send and the receiver's answer. */
      timeoutMs: z.number().int().positive().default(15_000),
      /** Destinations exempt from the SSRF guard: exact `host:port` entries or CIDRs. */
      allow: z.array(z.string().min(1)).default([]),
      /** Deliveries in flight per webhooks process. */
      concurrency: z.number().int().positive().default(64),
      /** Deliveries in flight per destination, so one slow receiver cannot hold every slot. */
      perDestinationConcurrency: z.number().int().positive().default(4),
      /** How long the old secret keeps signing after a rotation. */
      rotationOverlapSeconds: z
        .number()
        .int()
        .nonnegative()
        .default(24 * 3600),
    })
    .prefault({}),
  worker: z
    .strictObject({
      /**
       * A job's lock is renewed every half of this while its call runs (so long calls keep it);
       * a SIGKILLed worker's jobs are taken over once it lapses, within a few seconds.
       */
      lockDurationMs: z.number().int().positive().default(5000),
      /** How often workers look for jobs whose worker died. */
      stalledIntervalMs: z.number().int().positive().default(2000),
    })
    .prefault({}),
  jobs: z
    .strictObject({
      /** How long finished async and batch jobs stay readable in Redis (sync ones leave as they are answered). */
      retentionSeconds: z
        .number()
        .int()
        .positive()
        .default(24 * 3600),
      /** Default time-to-live of an async job that no worker has started. */
      defaultTtlSeconds: z
        .number()
        .int()
        .positive()
        .default(24 * 3600),
    })
    .prefault({}),
  /** `Idempotency-Key` on creating POSTs (services/api/src/middleware/idempotency.ts). */
  idempotency: z
    .strictObject({
      /** How long a finished answer is kept and replayed for the same key. */
      ttlSeconds: z
        .number()
        .int()
        .positive()
        .default(24 * 3600),
      /** Answers larger than this are not stored (the key is released; a retry runs again). */
      maxStoredBytes: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
    })
    .prefault({}),
  /** The response cache (services/api/src/cache): limits shared by every cached model. */
  cache: z
    .strictObject({
      /** Answers larger than this (JSON bytes) are not stored. */
      maxEntryBytes: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
      /** How long the first of several identical misses holds the key while it asks upstream; the others wait up to this, then go upstream themselves. */
      lockMs: z.number().int().positive().default(30_000),
      /** TTL of an entry cached by `x-switchyard-cache: use` for a model with no `cache` of its own. */
      defaultTtlSeconds: z.number().int().positive().default(300),
    })
    .prefault({}),
  files: z
    .strictObject({
      /** Largest upload (`POST /v1/files`) in bytes; past it the upload stops with 413 file_too_large. */
      maxBytes: z
        .number()
        .int()
        .positive()
        .default(200 * 1024 * 1024),
      /** Most lines a `purpose=batch` upload may hold (OpenAI's 50 000 requests per batch). */
      maxLines: z.number().int().positive().default(50_000),
    })
    .prefault({}),
  batches: z
    .strictObject({
      /** Lines of one batch on the provider queues at once; the driver refills as they finish. */
      maxQueuedLines: z.number().int().positive().default(1000),
      /** Lines one batch may hold; a larger input fails validation. */
      maxLines: z.number().int().positive().default(50_000),
      /** What the one accepted completion window ('24h') lasts, in seconds; tests shorten it. */
      completionWindowSeconds: z
        .number()
        .int()
        .positive()
        .default(24 * 3600),
      /** How often the driver looks at every active batch (it is also nudged on create and cancel). */
      tickMs: z.number().int().positive().default(250),
      /** Lines per `addBulk` (and per validation step). */
      chunkLines: z.number().int().positive().default(250),
      /** How often a running batch's queued lines are looked up in Redis (jobs failed without an outcome, jobs Redis lost). */
      checkQueuedEveryMs: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  /** Alert rules on metrics (services/alerts): evaluated by one leader at a time. */
  alerts: z
    .strictObject({
      /** Off: no process evaluates rules (the routes still manage them). */
      enabled: z.boolean().default(true),
      /** How often the leader evaluates every rule. */
      evaluateIntervalMs: z.number().int().positive().default(15_000),
      /** How long the leader's lock lives without renewal (renewed every third of it): a dead leader is replaced after at most this. */
      leaderLeaseMs: z.number().int().positive().default(30_000),
      /** Finished jobs a provider needs in the last 5 minutes before its error ratio is reported. */
      errorRatioMinimumJobs: z.number().int().positive().default(10),
    })
    .prefault({}),
  /** Static API keys from the config, checked alongside the database's (docs/config-habits.md). */
  auth: authSchema,
  chaos: chaosSchema.prefault({}),
  providers: z.record(z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and - only'), providerSchema),
  models: z.record(z.string().min(1), modelSchema),
  aliases: z.record(z.string().min(1), z.string().min(1)).default({}),
});

export type ParsedProviderConfig = z.infer<typeof providerSchema>;
export type DeploymentStrategy = (typeof deploymentStrategies)[number];
/** A deployment as routes use it: the upstream model id filled in. */
export type Deployment = Omit<z.infer<typeof deploymentSchema>, 'upstreamModel'> & { upstreamModel: string };
/** A catalog model after load: `deployments` always listed (a single `provider` is one), `provider` its first. */
export type ModelConfig = Omit<z.infer<typeof modelSchema>, 'provider' | 'deployments' | 'forced'> & {
  id: string;
  provider: string;
  deployments: Deployment[];
  /** Index of the pinned deployment, `forced` resolved. */
  forced?: number;
};
export type ParsedConfig = z.infer<typeof configSchema>;
export type ChaosSettings = z.infer<typeof chaosSchema>;
export type ChaosRule = z.infer<typeof chaosRuleSchema>;
