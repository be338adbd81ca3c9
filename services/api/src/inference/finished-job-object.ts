import { renderJobRecordObject, type JobObject, type JobRecord } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import { findJob, type Database, type Kysely } from '@switchyard/db';
import { loadAnsweredJob } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';

/**
 * The public job object of a job the ledger recorded in Postgres: the same shape as
 * `renderJobObject` gives from Redis, so a job reads the same after Redis lets it go. The
 * catalog's pricing only prices records older than the recorded cost.
 */
export function renderFinishedJobObject(config: SwitchyardConfig, record: JobRecord): JobObject {
  return renderJobRecordObject(record, (model) => config.models[model]?.pricing);
}

/** The org's job from Postgres, rendered; another org's id is as absent as an unknown one. */
export async function findFinishedJob(db: Kysely<Database>, config: SwitchyardConfig, orgId: string, id: string): Promise<JobObject | undefined> {
  const record = await findJob(db, orgId, id);
  return record && renderFinishedJobObject(config, record);
}

/**
 * The org's record of a finished job that Redis no longer holds as a BullMQ job: an answered
 * sync request's record, kept under `answered:<id>` until the ledger has surely written it,
 * else the ledger's own in Postgres. Another org's id is as absent as an unknown one.
 */
export async function findFinishedJobRecord(context: Pick<ApiContext, 'redis' | 'db' | 'config'>, orgId: string, id: string): Promise<JobRecord | undefined> {
  const answered = await loadAnsweredJob(context.redis, context.config.redis.prefix, id);
  if (answered) return answered.orgId === orgId ? answered : undefined;
  return findJob(context.db, orgId, id);
}
