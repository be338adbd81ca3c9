import type { ColumnType, Generated, Selectable } from 'kysely';

// Money and counters that can outgrow 2^53 come back as decimal strings, never JS numbers,
// so nothing is rounded on the way out of Postgres.
export type Decimal = ColumnType<string, string, string>;
export type BigCount = ColumnType<string, string | number | bigint, string | number | bigint>;
/** A BigCount the database defaults to 0, so an insert may leave it out. */
export type DefaultedBigCount = ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
/** Written as JSON text (`JSON.stringify`), read back parsed. */
export type Json = ColumnType<unknown, string, string>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** A calendar day (UTC), as `YYYY-MM-DD`. */
export type Day = ColumnType<string, string, string>;

export interface OrgsTable {
  id: string;
  name: string;
  monthly_budget_usd: Decimal | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  created_at: CreatedAt;
}

export interface ApiKeysTable {
  id: string;
  org_id: string;
  name: string;
  /** SHA-256 hex of the plaintext key; the plaintext is never stored. */
  key_hash: string;
  /** The first characters of the key, for telling keys apart in listings. */
  key_prefix: string;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface JobsTable {
  /** The request id. */
  id: string;
  org_id: string;
  key_id: string;
  endpoint: string;
  /** The model the client asked for (an alias stays an alias). */
  model: string;
  served_provider: string | null;
  served_model: string | null;
  mode: string;
  status: string;
  output: Json | null;
  error: Json | null;
  metadata: Json | null;
  attempts: number;
  usage: Json | null;
  cost_usd: Decimal | null;
  /** Set for batch lines. */
  batch_id: string | null;
  custom_id: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  queue_ms: number | null;
  duration_ms: number | null;
  /** The job's own webhook destination (POST /v1/jobs `webhook_url`), signed with the org default secret. */
  webhook_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** Event types the job's webhook_url receives; null means all `job.*` events. */
  webhook_events: ColumnType<unknown, string | null | undefined, string | null>;
  /** `truncated` or `summarized` when the request was condensed to fit the model's context. */
  condensed: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface UsageEventsTable {
  request_id: string;
  attempt: number;
  org_id: string;
  key_id: string;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  /** Part of input_tokens, like cached_input_tokens. */
  cache_write_input_tokens: DefaultedBigCount;
  estimated: boolean;
  price_version: string;
  cost_usd: Decimal;
  duration_ms: number;
  queue_ms: number;
  status: string;
  created_at: Timestamp;
  /** Answered by the response cache (no upstream call, no tokens, no cost); since 0010. */
  cache_hit: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface UsageDailyTable {
  org_id: string;
  key_id: string;
  model: string;
  day: Day;
  /** Usage events (provider attempts) recorded; client requests are counted from usage_events. */
  attempts: BigCount;
  input_tokens: BigCount;
  output_tokens: BigCount;
  cached_input_tokens: BigCount;
  cache_write_input_tokens: DefaultedBigCount;
  cost_usd: Decimal;
  duration_ms_total: BigCount;
  /** Requests answered by the response cache; not counted in `attempts`. Since 0010. */
  cache_hits: DefaultedBigCount;
}

export interface FilesTable {
  id: string;
  org_id: string;
  purpose: string;
  filename: string;
  /** Bigint since 0007: an output file may outgrow 2 GiB. */
  bytes: BigCount;
  /** Unused since 0007 (content lives in `file_chunks`); kept for rows written before. */
  content: ColumnType<string | null, string | null | undefined, string | null>;
  /** `uploading` (invisible: chunks still arriving, or the upload died) | `processed`. */
  status: ColumnType<string, string | undefined, string>;
  /** Lines as `readStoredFileLines` yields them; null when not counted. */
  line_count: number | null;
  /** When the upload completed (set again as the status turns `processed`). */
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One piece (1 MiB) of a file's bytes, in order of `seq` from 0. */
export interface FileChunksTable {
  file_id: string;
  seq: number;
  data: ColumnType<Uint8Array, Uint8Array, Uint8Array>;
}

export interface BatchesTable {
  id: string;
  org_id: string;
  key_id: string;
  endpoint: string;
  input_file_id: string | null;
  completion_window: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  total: ColumnType<number, number | undefined, number>;
  completed: ColumnType<number, number | undefined, number>;
  failed: ColumnType<number, number | undefined, number>;
  metadata: Json | null;
  errors: Json | null;
  created_at: CreatedAt;
  in_progress_at: Timestamp | null;
  finalizing_at: Timestamp | null;
  completed_at: Timestamp | null;
  failed_at: Timestamp | null;
  expired_at: Timestamp | null;
  cancelling_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  expires_at: Timestamp | null;
  /** `openai` (`batch_...`) or `anthropic` (`msgbatch_...`): which shell created it. */
  shell: ColumnType<string, string | undefined, string>;
  cancelled: ColumnType<number, number | undefined, number>;
  expired: ColumnType<number, number | undefined, number>;
  /** Input lines validation has read so far. */
  validated: ColumnType<number, number | undefined, number>;
  /** Validation read the whole input. */
  validated_at: Timestamp | null;
  /** `{input_tokens, output_tokens, total_tokens}` over the batch's jobs, set when it ends. */
  usage: Json | null;
  cost_usd: Decimal | null;
}

/** One input line of a batch and its state (migration 0008). */
export interface BatchLinesTable {
  batch_id: string;
  line_index: number;
  custom_id: string | null;
  /** `pending` | `queued` | `invalid` | `completed` | `failed` | `cancelled` | `expired`. */
  status: string;
  /** The inference job data the line runs as; null for an invalid line. */
  job: Json | null;
  provider: string | null;
  /** Why the line is invalid, cancelled or expired without a job result: `{code, message, param?}`. */
  error: Json | null;
  fed_at: Timestamp | null;
  cleaned: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface WebhookEndpointsTable {
  id: string;
  org_id: string;
  url: string;
  /** Event types this endpoint receives (`job.completed`, ...). */
  events: Json;
  /** Standard Webhooks signing secret (`whsec_...`), sealed with `sealSecret` (encrypted when a key is configured). */
  secret: string;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  created_at: CreatedAt;
  description: ColumnType<string | null, string | null | undefined, string | null>;
  /** The secret before the last rotation, sealed like `secret`; deliveries carry both signatures until it expires. */
  previous_secret: ColumnType<string | null, string | null | undefined, string | null>;
  previous_secret_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  updated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** One webhook event (the outbox): written in the transaction that made its subject terminal. */
export interface WebhookEventsTable {
  /** The `webhook-id` header (`msg_...`), derived from type and subject: stable across replays and retries. */
  id: string;
  org_id: string;
  /** `job.completed`, `batch.failed`, ... */
  type: string;
  /** The job or batch id. */
  subject_id: string;
  /** The job or batch object as GET returns it. */
  data: Json;
  created_at: CreatedAt;
}

/** One attempt to deliver one delivery. */
export interface WebhookAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempt: number;
  /** `delivered` | `failed` | `refused` (the SSRF guard refused the address: no connection made). */
  outcome: string;
  response_status: number | null;
  duration_ms: number;
  error: string | null;
  started_at: Timestamp;
}

/** The org's default signing secret, for jobs' and batches' own webhook_url; created on first use. */
export interface OrgWebhookSecretsTable {
  org_id: string;
  /** Sealed with `sealSecret`. */
  secret: string;
  created_at: CreatedAt;
}

/** One event to one destination; the webhooks service moves rows with `enqueued_at` null onto its queue. */
export interface WebhookDeliveriesTable {
  /** `whd_...`, derived from event and destination. */
  id: string;
  /** The event (`webhook_events.id`), which is the `webhook-id` header. */
  event_id: string;
  /** The job or batch id, for GET /v1/jobs/{id}/webhook_deliveries. */
  subject_id: string;
  /** `endpoint:<id>` for an org endpoint, `url` for the job's or batch's own webhook_url. */
  destination: string;
  org_id: string;
  /** Null for deliveries to a job's or batch's own `webhook_url`. */
  endpoint_id: string | null;
  url: string;
  event_type: string;
  /** The body sent: `{type, timestamp, data}`. */
  payload: Json;
  /** `pending` (first attempt not made) | `retrying` | `delivered` | `failed` (gave up, refused or endpoint disabled). */
  status: string;
  attempts: Generated<number>;
  response_status: number | null;
  last_error: string | null;
  created_at: CreatedAt;
  last_attempt_at: Timestamp | null;
  next_attempt_at: Timestamp | null;
  delivered_at: Timestamp | null;
  /** Bumped by a manual retry, so the redelivery gets a queue job of its own (`<id>-g<generation>`). */
  generation: Generated<number>;
  /** Null while the delivery waits in the outbox for the webhooks service to queue it. */
  enqueued_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** A rule on one metric (migration 0009): which subjects breach it, how loud, and whom to tell. */
export interface AlertRulesTable {
  id: string;
  name: string;
  /** `breaker_open`, `provider_error_ratio`, ... (services/alerts). */
  metric: string;
  /** `>`, `>=`, `<` or `<=`. */
  condition: string;
  threshold: Decimal;
  /** `info` | `warning` | `critical`. */
  severity: string;
  cooldown_minutes: number;
  /** `[{type: 'log'} | {type: 'webhook', url}]`. */
  channels: Json;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  /** Created by the evaluator at start; may be changed or disabled, not deleted. */
  builtin: ColumnType<boolean, boolean | undefined, never>;
  /** Only this provider's subjects; null means every subject. */
  provider: string | null;
  /** Signs the rule's webhook notifications (`whsec_...`), sealed with `sealSecret`. */
  webhook_secret: string;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One breach of one rule by one subject, from firing to resolved. */
export interface AlertsTable {
  id: string;
  rule_id: string;
  subject: string;
  /** `firing` | `resolved`. */
  status: string;
  /** The metric's value when last evaluated while firing. */
  value: number;
  fired_at: Timestamp;
  resolved_at: Timestamp | null;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  /** The last `alert.fired` notification; null while the cooldown held every one back. */
  last_notified_at: Timestamp | null;
  notifications: ColumnType<number, number | undefined, number>;
}

export interface Database {
  orgs: OrgsTable;
  api_keys: ApiKeysTable;
  jobs: JobsTable;
  usage_events: UsageEventsTable;
  usage_daily: UsageDailyTable;
  files: FilesTable;
  file_chunks: FileChunksTable;
  batches: BatchesTable;
  batch_lines: BatchLinesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_events: WebhookEventsTable;
  webhook_attempts: WebhookAttemptsTable;
  org_webhook_secrets: OrgWebhookSecretsTable;
  alert_rules: AlertRulesTable;
  alerts: AlertsTable;
}

export type OrgRow = Selectable<OrgsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type JobRow = Selectable<JobsTable>;
export type BatchRow = Selectable<BatchesTable>;
export type BatchLineRow = Selectable<BatchLinesTable>;
export type UsageEventRow = Selectable<UsageEventsTable>;
