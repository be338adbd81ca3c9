import type { Response } from 'express';
import { GatewayError, type ReplyMessage, type Usage } from '@switchyard/core';
import { withSpan } from '@switchyard/observability';
import type { ApiContext } from '../context.ts';
import { sendReply } from './send-reply.ts';
import { startRequest, type InferenceSpec } from './start-request.ts';

/**
 * Sync path: listen for the result, enqueue, answer with the worker's reply. A client that
 * goes away cancels the job; a deadline answers 504. Resolves with the usage it answered.
 * `onReply` sees the finished reply before it is answered (the response cache stores it).
 */
export async function runSync(
  context: ApiContext,
  response: Response,
  spec: InferenceSpec,
  onReply?: (reply: ReplyMessage) => void,
): Promise<Usage | undefined> {
  const timeoutMs = context.config.server.syncTimeoutMs;
  // The waiter outlives the job's own deadline a little, so the worker's verdict usually arrives first.
  const started = await startRequest(context, { ...spec, mode: 'sync', deadline: Date.now() + timeoutMs, waitMs: timeoutMs + 1000 });
  const log = (error: unknown, message: string) => context.logger.warn({ err: error, requestId: started.data.requestId }, message);

  let answered = false;
  let clientGone = false;
  // Only the response's 'close' means the client left: the request's fires once its body is read.
  response.on('close', () => {
    if (answered) return;
    clientGone = true;
    started.stopListening();
    void started.cancel().catch((error: unknown) => log(error, 'cancel after disconnect failed'));
  });

  const reply = await withSpan('reply.wait', {}, () => started.result!.promise);
  if (clientGone) return undefined;
  answered = true;
  if (!reply) {
    await started.cancel().catch(() => false);
    throw new GatewayError('timeout', `the request did not finish within ${Math.round(timeoutMs / 1000)} s`);
  }
  onReply?.(reply);
  sendReply(response, reply, { endpoint: spec.endpoint, receivedAt: started.data.createdAt, proxyInfo: context.config.server.proxyInfo });
  return reply.usage;
}
