import type { RedisConnection } from '@switchyard/queue';
import type { LiveConfig, SwitchyardConfig } from '@switchyard/config';
import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import type { CircuitBreakers, ConfigReloadBus, InferenceQueues, ReplyBus } from '@switchyard/queue';
import type { Admission } from './admission/admission.ts';
import type { Backpressure } from './inference/backpressure.ts';
import type { ApiMetrics } from './metrics.ts';

/** Everything the api's routes need, passed in once by createApp (one context per config generation). */
export type ApiContext = {
  /** The config this generation serves; a reload builds a new context around the new one. */
  config: SwitchyardConfig;
  /** The process's config as it reloads: its state and the errors of a refused reload. */
  liveConfig: LiveConfig;
  /** Reloads this process and tells the others; lists every process's config state. */
  configBus: ConfigReloadBus;
  logger: Logger;
  /** Commands connection (fail-fast producer). */
  redis: RedisConnection;
  queues: InferenceQueues;
  replyBus: ReplyBus;
  /** The key revocation counter: the process's `watchAuthRevision`, read from Redis only while it is not live. */
  authRevision: () => Promise<string>;
  db: Kysely<Database>;
  breakers: CircuitBreakers;
  backpressure: Backpressure;
  admission: Admission;
  /** Registered once per process; every app built on this context reports into it. */
  metrics: ApiMetrics;
  /** True once the process drains on SIGTERM (GET /ready answers 503 `draining`). */
  draining(): boolean;
};
