import type { JobsOptions } from 'bullmq';
import { priorityByMode, routeJobId, type InferenceJobData } from '@switchyard/core';

/**
 * BullMQ options of an inference job. Sync requests carry no priority (BullMQ runs
 * those first); async and batch lines are prioritised behind them. Route jobs have
 * deterministic ids, so a duplicate forward or enqueue cannot fork a request.
 */
export function inferenceJobOptions(data: InferenceJobData, options: { attempts: number; retentionSeconds: number }): JobsOptions {
  const jobOptions: JobsOptions = {
    jobId: routeJobId(data.requestId, data.routeIndex),
    attempts: options.attempts,
    backoff: { type: 'upstream' },
    removeOnComplete: { age: options.retentionSeconds },
    removeOnFail: { age: options.retentionSeconds },
  };
  if (data.mode !== 'sync') jobOptions.priority = priorityByMode[data.mode];
  return jobOptions;
}

/** Name of every inference job (BullMQ wants one; the queue already says what it is). */
export const inferenceJobName = 'inference';
