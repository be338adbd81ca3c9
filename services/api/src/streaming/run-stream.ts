import type { Response } from 'express';
import type { ReplyMessage, Usage } from '@switchyard/core';
import { readTokenStream } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { startRequest, type InferenceSpec, type StartedRequest } from '../inference/start-request.ts';
import { markAnswerComplete } from '../middleware/idempotency.ts';
import { createSseResponse } from './sse-response.ts';
import { createStreamEventRenderer } from './stream-event-renderer.ts';
import { createStreamRelay } from './stream-relay.ts';
import { streamingDefaults } from './streaming-defaults.ts';
import { retellResponse } from '@switchyard/formats';

/**
 * Sync streaming: listen for the request's parts and result BEFORE enqueueing, answer SSE
 * at once, relay parts in the client's format until the finish part (or the result, or
 * the deadline). A client that leaves cancels the job, which aborts the upstream call.
 * Resolves with the usage of the finished request, when it finished. `onReply` sees the
 * finished reply (the response cache stores it).
 */
export async function runStream(
  context: ApiContext,
  response: Response,
  spec: InferenceSpec,
  onReply?: (reply: ReplyMessage) => void,
): Promise<Usage | undefined> {
  const timeoutMs = context.config.server.syncTimeoutMs;
  const prefix = context.config.redis.prefix;
  const log = (error: unknown, message: string) => context.logger.warn({ err: error, requestId: spec.requestId }, message);
  const createdAt = Date.now();
  let streamFinished = false;

  const sse = createSseResponse(response, { keepAliveMs: streamingDefaults.keepAliveMs });
  const relay = createStreamRelay({
    sink: sse,
    renderer: createStreamEventRenderer({
      endpoint: spec.endpoint,
      requestId: spec.requestId,
      createdAt,
      includeUsage: spec.includeUsage ?? false,
      eventIds: false,
    }),
    startAfter: 0,
    fallbackModel: spec.requestedModel,
    readAfter: (seq) => readTokenStream(context.redis, prefix, spec.requestId, { afterSeq: seq, count: streamingDefaults.readPageEntries }),
    synthesize: (reply) => retellResponse(spec.endpoint, reply.output),
    maxLagParts: streamingDefaults.maxLagParts,
    onError: (error) => log(error, 'stream relay failed'),
    // Only a stream that reached its finish part is the whole answer (kept for an Idempotency-Key replay).
    onEnd: (finished) => {
      streamFinished = finished;
      markAnswerComplete(response, finished);
    },
  });

  let request: StartedRequest;
  try {
    request = await startRequest(context, {
      ...spec,
      stream: true,
      mode: 'sync',
      createdAt,
      deadline: createdAt + timeoutMs,
      waitMs: timeoutMs + 1000,
      onParts: relay.offer,
    });
  } catch (error) {
    relay.abandon();
    throw error;
  }
  const cancelJob = () => request.cancel().catch((error: unknown) => log(error, 'cancel of a stream failed'));

  // Only the response's 'close' means the client left: the request's fires once its body is read.
  response.on('close', () => {
    if (relay.ended) return;
    relay.abandon();
    request.stopListening();
    void cancelJob();
  });

  markAnswerComplete(response, false);
  sse.open({ 'x-job-id': spec.requestId });
  // Nothing was published before the job existed, so there is nothing to read back yet.
  void relay.start({ catchUp: false });
  const settled = request.result!.promise.then(async (reply) => {
    if (reply) {
      onReply?.(reply);
      await relay.settle(reply);
      return reply.usage;
    }
    if (relay.ended) return undefined;
    relay.fail({ code: 'timeout', message: `the request did not finish within ${Math.round(timeoutMs / 1000)} s` });
    await cancelJob();
    return undefined;
  });
  await relay.done;
  // The job's result follows its finish part by moments; a caller keeping the reply (the
  // response cache) waits for it a little, after the client already has its whole stream.
  if (onReply && streamFinished) await settledWithin(settled, streamingDefaults.resultAfterFinishMs);
  request.stopListening();
  // The result settles at once now that listening stopped (undefined when it never came).
  return settled;
}

async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
