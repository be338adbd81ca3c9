import { renderJobRecordObject, type JobObject, type JobRecord } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import { findJob, type Database, type Kysely } from '@switchyard/db';

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
