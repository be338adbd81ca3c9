import type { JobsOptions } from 'bullmq';
import { priorityByMode, routeJobId, type InferenceJobData } from '@switchyard/core';

/**
 * BullMQ options of an inference job. Sync requests carry no priority (BullMQ runs
 * those first); async and batch lines are prioritised behind them. Route jobs have
 * deterministic ids, so a duplicate forward or enqueue cannot fork a request.
 *
 * A sync job leaves Redis as it completes: its caller got the reply, and the ledger keeps
 * the job record (output included) that `GET /v1/jobs/{id}` and a missed-reply recheck read.
 * Keeping every answered chat for `retentionSeconds` would hold a day of traffic in Redis.
 * (BullMQ trims a queue's finished jobs by the age of the job finishing, so a shorter age
 * for sync jobs would drop the async ones too: removal on completion is the one choice that
 * leaves other jobs alone.) Failed ones stay like any job's.
 */
export function inferenceJobOptions(data: InferenceJobData, options: { attempts: number; retentionSeconds: number }): JobsOptions {
  const jobOptions: JobsOptions = {
    jobId: routeJobId(data.requestId, data.routeIndex),
    attempts: options.attempts,
    backoff: { type: 'upstream' },
    removeOnComplete: data.mode === 'sync' ? true : { age: options.retentionSeconds },
    removeOnFail: { age: options.retentionSeconds },
  };
  if (data.mode !== 'sync') jobOptions.priority = priorityByMode[data.mode];
  return jobOptions;
}

/** Name of every inference job (BullMQ wants one; the queue already says what it is). */
export const inferenceJobName = 'inference';
