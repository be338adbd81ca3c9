import type { Response } from 'express';
import { GatewayError } from '@switchyard/core';
import { readRequestState, replyFromState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { cancelRequest } from './cancel-request.ts';
import { buildJobData, enqueue, type EnqueueRequest } from './enqueue.ts';
import { sendReply } from './send-reply.ts';
import { reconcileTokens } from '../admission/admission.ts';

/**
 * Sync path: register the waiter, enqueue, wait for the worker's reply on this process's
 * channel. A client that goes away cancels the job; a deadline answers 504.
 */
export async function runSync(context: ApiContext, response: Response, enqueueRequest: Omit<EnqueueRequest, 'deadline' | 'replyTo' | 'mode'>): Promise<void> {
  const now = Date.now();
  const timeoutMs = context.config.server.syncTimeoutMs;
  const data = buildJobData({ ...enqueueRequest, mode: 'sync', deadline: now + timeoutMs, replyTo: context.replyBus.channel }, now);
  // Read lazily: enqueue may start the request on a later route when earlier breakers are open.
  const readState = () => readRequestState(context.queues, data.routes[0]!.provider, data.requestId);

  const wait = context.replyBus.waitForResult(data.requestId, {
    // A little past the job's own deadline, so the worker's verdict usually arrives first.
    timeoutMs: timeoutMs + 1000,
    recheck: async () => {
      const state = await readState();
      return state ? replyFromState(state) : undefined;
    },
  });

  let answered = false;
  let clientGone = false;
  // Only the response's 'close' means the client left: the request's fires once its body is read.
  const onClose = () => {
    if (answered) return;
    clientGone = true;
    wait.cancel();
    void readState()
      .then((state) => (state ? cancelRequest(context, state) : false))
      .catch((error) => context.logger.warn({ err: error, requestId: data.requestId }, 'cancel after disconnect failed'));
  };
  response.on('close', onClose);

  try {
    await enqueue(context, data);
  } catch (error) {
    answered = true;
    wait.cancel();
    throw error;
  }
  const reply = await wait.promise;
  if (clientGone) return;
  answered = true;
  if (!reply) {
    const state = await readState().catch(() => undefined);
    if (state) await cancelRequest(context, state).catch(() => false);
    throw new GatewayError('timeout', `the request did not finish within ${Math.round(timeoutMs / 1000)} s`);
  }
  void reconcileTokens(response, reply.usage);
  sendReply(response, reply);
}
