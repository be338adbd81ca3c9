import { costUsd, type ErrorBody, type InferenceEndpoint, type JobRecord } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import { findJob, type Database, type Kysely } from '@switchyard/db';
import { renderError, renderUsage, seconds, type JobObject } from './job-object.ts';

/**
 * The public job object of a job the ledger recorded in Postgres: the same shape as
 * `renderJobObject` gives from Redis, so a job reads the same after Redis lets it go.
 */
export function renderFinishedJobObject(config: SwitchyardConfig, record: JobRecord): JobObject {
  const usage = record.usage;
  const pricing = record.servedModel ? config.models[record.servedModel]?.pricing : undefined;
  return {
    id: record.id,
    object: 'job',
    status: record.status,
    endpoint: record.endpoint as InferenceEndpoint,
    model: record.model,
    created_at: seconds(record.createdAt),
    started_at: seconds(record.startedAt),
    completed_at: seconds(record.completedAt),
    output: record.output ?? null,
    // Workers record the ErrorBody of the failure; the record's schema only insists on code and message.
    error: renderError(record.error as ErrorBody | undefined),
    usage: renderUsage(usage),
    // The cost the ledger recorded is the bill; pricing it again is only for older records without one.
    cost_usd: record.costUsd ?? (usage && pricing ? costUsd(usage, pricing) : null),
    attempts: record.attempts,
    provider: record.servedProvider ?? null,
    served_model: record.servedModel ?? null,
    metadata: record.metadata ?? {},
  };
}

/** The org's job from Postgres, rendered; another org's id is as absent as an unknown one. */
export async function findFinishedJob(db: Kysely<Database>, config: SwitchyardConfig, orgId: string, id: string): Promise<JobObject | undefined> {
  const record = await findJob(db, orgId, id);
  return record && renderFinishedJobObject(config, record);
}
