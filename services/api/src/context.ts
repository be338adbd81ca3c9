import type { Redis } from 'ioredis';
import type { SwitchyardConfig } from '@switchyard/config';
import type { Database, Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import type { CircuitBreakers, InferenceQueues, ReplyBus } from '@switchyard/queue';
import type { Admission } from './admission/admission.ts';
import type { Backpressure } from './inference/backpressure.ts';
import type { ApiMetrics } from './metrics.ts';

/** Everything the api's routes need, passed in once by createApp. */
export type ApiContext = {
  config: SwitchyardConfig;
  logger: Logger;
  /** Commands connection (fail-fast producer). */
  redis: Redis;
  queues: InferenceQueues;
  replyBus: ReplyBus;
  db: Kysely<Database>;
  breakers: CircuitBreakers;
  backpressure: Backpressure;
  admission: Admission;
  /** Registered once per process; every app built on this context reports into it. */
  metrics: ApiMetrics;
};
