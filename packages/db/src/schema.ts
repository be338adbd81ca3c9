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
}

export interface FilesTable {
  id: string;
  org_id: string;
  purpose: string;
  filename: string;
  bytes: number;
  /** The file's content (JSONL for batches); batch input files are at most 200 MB. */
  content: string;
  created_at: CreatedAt;
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
  total: number;
  completed: number;
  failed: number;
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
}

export interface WebhookEndpointsTable {
  id: string;
  org_id: string;
  url: string;
  /** Event types this endpoint receives (`job.completed`, ...). */
  events: Json;
  /** Standard Webhooks signing secret (`whsec_...`). */
  secret: string;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  created_at: CreatedAt;
}

export interface WebhookDeliveriesTable {
  /** The `webhook-id` header: stable across retries of one event. */
  id: string;
  org_id: string;
  /** Null for deliveries to a job's or batch's own `webhook_url`. */
  endpoint_id: string | null;
  url: string;
  event_type: string;
  payload: Json;
  status: string;
  attempts: Generated<number>;
  response_status: number | null;
  last_error: string | null;
  created_at: CreatedAt;
  last_attempt_at: Timestamp | null;
  next_attempt_at: Timestamp | null;
  delivered_at: Timestamp | null;
}

export interface Database {
  orgs: OrgsTable;
  api_keys: ApiKeysTable;
  jobs: JobsTable;
  usage_events: UsageEventsTable;
  usage_daily: UsageDailyTable;
  files: FilesTable;
  batches: BatchesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type OrgRow = Selectable<OrgsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type JobRow = Selectable<JobsTable>;
export type UsageEventRow = Selectable<UsageEventsTable>;
