import type { Response } from 'express';
import { readRequestState, replyFromState, stateFromReply, type RequestState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { buildJobData, enqueue, type EnqueueRequest } from './enqueue.ts';
import { renderJobObject } from './job-object.ts';

/**
 * Async path: 202 with the job object and its Location. With `Prefer: wait=N` the api
 * waits up to N seconds on its reply channel and answers 200 with the finished job.
 */
export async function runAsync(
  context: ApiContext,
  response: Response,
  enqueueRequest: Omit<EnqueueRequest, 'deadline' | 'replyTo' | 'mode'>,
  options: { ttlSeconds?: number; waitSeconds?: number },
): Promise<void> {
  const now = Date.now();
  const ttlMs = (options.ttlSeconds ?? context.config.jobs.defaultTtlSeconds) * 1000;
  const waitMs = (options.waitSeconds ?? 0) * 1000;
  const data = buildJobData({ ...enqueueRequest, mode: 'async', deadline: now + ttlMs, ...(waitMs > 0 ? { replyTo: context.replyBus.channel } : {}) }, now);
  // Read lazily: enqueue may start the request on a later route when earlier breakers are open.
  const readState = () => readRequestState(context.queues, data.routes[0]!.provider, data.requestId);

  const wait =
    waitMs > 0
      ? context.replyBus.waitForResult(data.requestId, {
          timeoutMs: waitMs,
          recheck: async () => {
            const state = await readState();
            return state ? replyFromState(state) : undefined;
          },
        })
      : undefined;
  try {
    await enqueue(context, data);
  } catch (error) {
    wait?.cancel();
    throw error;
  }
  const queued: RequestState = { data, jobId: data.requestId, status: 'queued', attemptsMade: 0 };
  // Without a wait the answer is the job as created; with one, whatever it has become.
  let state = queued;
  if (wait) {
    const reply = await wait.promise;
    state = reply ? stateFromReply(data, reply) : ((await readState()) ?? queued);
  }
  const job = renderJobObject(context.config, state);
  response.setHeader('x-job-id', data.requestId);
  response.setHeader('location', `/v1/jobs/${data.requestId}`);
  response.status(state.outcome ? 200 : 202).json(job);
}
