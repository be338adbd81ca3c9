import type { Response } from 'express';
import { readRequestState, readTokenStream, replyFromState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { cancelRequest } from '../inference/cancel-request.ts';
import { buildJobData, enqueue, type EnqueueRequest } from '../inference/enqueue.ts';
import { createSseResponse } from './sse-response.ts';
import { createStreamEventRenderer } from './stream-event-renderer.ts';
import { createStreamRelay } from './stream-relay.ts';
import { streamingDefaults } from './streaming-defaults.ts';
import { partsFromOutput } from './synthesize-parts.ts';

/**
 * Sync streaming: listen for the request's parts and result BEFORE enqueueing, answer SSE
 * at once, relay parts in the client's format until the finish part (or the result, or
 * the deadline). A client that leaves cancels the job, which aborts the upstream call.
 */
export async function runStream(context: ApiContext, response: Response, enqueueRequest: Omit<EnqueueRequest, 'deadline' | 'replyTo' | 'mode'>): Promise<void> {
  const now = Date.now();
  const timeoutMs = context.config.server.syncTimeoutMs;
  const prefix = context.config.redis.prefix;
  const data = buildJobData({ ...enqueueRequest, mode: 'sync', stream: true, deadline: now + timeoutMs, replyTo: context.replyBus.channel }, now);
  const readState = () => readRequestState(context.queues, data.routes[0]!.provider, data.requestId);
  const log = (error: unknown, message: string) => context.logger.warn({ err: error, requestId: data.requestId }, message);

  const sse = createSseResponse(response, { keepAliveMs: streamingDefaults.keepAliveMs });
  const relay = createStreamRelay({
    sink: sse,
    renderer: createStreamEventRenderer({ endpoint: data.endpoint, requestId: data.requestId, createdAt: data.createdAt, includeUsage: data.includeUsage ?? false, eventIds: false }),
    startAfter: 0,
    fallbackModel: data.requestedModel,
    readAfter: (seq) => readTokenStream(context.redis, prefix, data.requestId, { afterSeq: seq, count: streamingDefaults.readPageEntries }),
    synthesize: (reply) => partsFromOutput(data.endpoint, reply.output),
    maxLagParts: streamingDefaults.maxLagParts,
    onError: (error) => log(error, 'stream relay failed'),
  });
  const stopListening = context.replyBus.onStreamParts(data.requestId, relay.offer);
  const wait = context.replyBus.waitForResult(data.requestId, {
    // A little past the job's own deadline, so the worker's verdict usually arrives first.
    timeoutMs: timeoutMs + 1000,
    recheck: async () => {
      const state = await readState();
      return state ? replyFromState(state) : undefined;
    },
  });
  const cancelJob = () =>
    readState()
      .then((state) => (state ? cancelRequest(context, state) : false))
      .catch((error: unknown) => log(error, 'cancel of a stream failed'));

  // Only the response's 'close' means the client left: the request's fires once its body is read.
  response.on('close', () => {
    if (relay.ended) return;
    relay.abandon();
    wait.cancel();
    void cancelJob();
  });

  try {
    await enqueue(context, data);
  } catch (error) {
    stopListening();
    wait.cancel();
    relay.abandon();
    throw error;
  }
  sse.open({ 'x-job-id': data.requestId });
  // Nothing was published before the job existed, so there is nothing to read back yet.
  void relay.start({ catchUp: false });
  void wait.promise.then((reply) => {
    if (reply) return relay.settle(reply);
    if (relay.ended) return;
    relay.fail({ code: 'timeout', message: `the request did not finish within ${Math.round(timeoutMs / 1000)} s` });
    return cancelJob();
  });
  await relay.done;
  stopListening();
  wait.cancel();
}
