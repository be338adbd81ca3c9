import { GatewayError, type ReplyMessage } from '@switchyard/core';
import { appendLedgerEntries, publishCancel, publishToReplyChannel, saveCancelledJob, type RequestState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { renderJobObject } from './job-object.ts';

/**
 * Cancels a request wherever it is: a queued job is removed and its final state kept;
 * a running one is aborted by its worker (which then records it as cancelled).
 * Returns true when the job was removed before any worker took it.
 */
export async function cancelRequest(context: ApiContext, state: RequestState): Promise<boolean> {
  if (state.outcome) return false;
  const route = state.data.routes[state.data.routeIndex]!;
  const removed = state.status === 'queued' ? await context.queues.get(route.provider).remove(state.jobId) : 0;
  if (removed !== 1) {
    await publishCancel(context.redis, context.config.redis.prefix, state.jobId);
    return false;
  }
  const now = Date.now();
  const error = new GatewayError('cancelled', 'the job was cancelled before it started').toBody();
  const cancelled = { ...state, status: 'cancelled' as const, outcome: { status: 'cancelled' as const, error, attempts: 0, completedAt: now }, completedAt: now };
  await saveCancelledJob(
    context.redis,
    context.config.redis.prefix,
    state.data.requestId,
    { orgId: state.data.orgId, job: renderJobObject(context.config, cancelled) },
    context.config.jobs.retentionSeconds,
  );
  // Nothing was spent, but the job itself belongs in the ledger's record of jobs.
  await appendLedgerEntries(context.redis, context.config.redis.prefix, [
    {
      type: 'job',
      record: {
        id: state.data.requestId,
        orgId: state.data.orgId,
        keyId: state.data.keyId,
        endpoint: state.data.endpoint,
        model: state.data.requestedModel,
        mode: state.data.mode,
        status: 'cancelled',
        error,
        attempts: 0,
        createdAt: state.data.createdAt,
        completedAt: now,
        ...(state.data.metadata ? { metadata: state.data.metadata } : {}),
      },
    },
  ]);
  if (state.data.replyTo) {
    const reply: ReplyMessage = { kind: 'result', requestId: state.data.requestId, jobId: state.jobId, status: 'cancelled', error, attempts: 0 };
    await publishToReplyChannel(context.redis, state.data.replyTo, reply);
  }
  return true;
}
