import type { Response } from 'express';
import type { Usage } from '@switchyard/core';
import { stateFromReply, type RequestState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { renderJobObject } from './job-object.ts';
import { startRequest, type InferenceSpec } from './start-request.ts';

/**
 * Async path: 202 with the job object and its Location. With `Prefer: wait=N` the api
 * waits up to N seconds on its reply channel and answers 200 with the finished job.
 * Resolves with the usage of a job that finished while it waited.
 */
export async function runAsync(
  context: ApiContext,
  response: Response,
  spec: InferenceSpec,
  options: { ttlSeconds?: number; waitSeconds?: number },
): Promise<Usage | undefined> {
  const ttlMs = (options.ttlSeconds ?? context.config.jobs.defaultTtlSeconds) * 1000;
  const waitMs = (options.waitSeconds ?? 0) * 1000;
  const started = await startRequest(context, { ...spec, mode: 'async', deadline: Date.now() + ttlMs, waitMs });
  const data = started.data;
  const queued: RequestState = { data, jobId: data.requestId, status: 'queued', attemptsMade: 0 };
  // Without a wait the answer is the job as created; with one, whatever it has become.
  let state = queued;
  if (started.result) {
    const reply = await started.result.promise;
    state = reply ? stateFromReply(data, reply) : ((await started.readState()) ?? queued);
  }
  response.setHeader('x-job-id', data.requestId);
  response.setHeader('location', `/v1/jobs/${data.requestId}`);
  response.status(state.outcome ? 200 : 202).json(renderJobObject(context.config, state));
  return state.outcome?.usage;
}
