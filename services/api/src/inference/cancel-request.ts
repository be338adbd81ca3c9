import { GatewayError, jobRecordOf, replyOf, type FinishedOutcome } from '@switchyard/core';
import { appendLedgerEntries, publishCancel, publishReply, saveCancelledJob, type RequestState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { renderJobObject } from './job-object.ts';

/**
 * Cancels a request wherever it is. A job no worker holds (queued, waiting to retry,
 * put back by a rate-limit pause) is removed and its final state kept; a running one is
 * aborted by its worker, which then records it as cancelled, and a marker stops a worker
 * that holds it between calls from trying again.
 * Returns true when the job was removed before any worker could run it again.
 */
export async function cancelRequest(context: ApiContext, state: RequestState): Promise<boolean> {
  if (state.outcome) return false;
  const { prefix } = context.config.redis;
  const route = state.data.routes[state.data.routeIndex]!;
  // BullMQ refuses to remove a job whose lock a worker holds (it is running).
  const removed = await context.queues.get(route.provider).remove(state.jobId);
  if (removed !== 1) {
    await publishCancel(context.redis, prefix, state.jobId, state.data.requestId, Math.ceil(Math.max(0, state.data.deadline - Date.now()) / 1000) + 60);
    return false;
  }
  const outcome: FinishedOutcome = {
    status: 'cancelled',
    error: new GatewayError('cancelled', state.status === 'queued' ? 'the job was cancelled before it started' : 'the job was cancelled').toBody(),
    attempts: (state.data.priorAttempts ?? 0) + state.attemptsMade,
    completedAt: Date.now(),
  };
  const cancelled: RequestState = { ...state, status: 'cancelled', outcome, completedAt: outcome.completedAt };
  await saveCancelledJob(
    context.redis,
    prefix,
    state.data.requestId,
    { orgId: state.data.orgId, job: renderJobObject(context.config, cancelled) },
    context.config.jobs.retentionSeconds,
  );
  // Nothing more will be spent, but the job itself belongs in the ledger's record of jobs.
  await appendLedgerEntries(context.redis, prefix, [{ type: 'job', record: jobRecordOf(state.data, outcome) }]);
  if (state.data.replyTo) await publishReply(context.redis, prefix, state.data.replyTo, replyOf(state.data, state.jobId, outcome));
  return true;
}
