import { costUsd, renderJobError, renderJobUsage, unixSeconds, type JobObject } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import type { RequestState } from '@switchyard/queue';

/** The public job object (docs/api.md, "Async jobs") of a job Redis still holds; `output` is exactly the endpoint's body. */
export function renderJobObject(config: SwitchyardConfig, state: RequestState): JobObject {
  const outcome = state.outcome;
  const servedModel = outcome?.model;
  const pricing = servedModel ? config.models[servedModel]?.pricing : undefined;
  const error = renderJobError(outcome?.error);
  return {
    id: state.data.requestId,
    object: 'job' as const,
    status: state.status,
    endpoint: state.data.endpoint,
    model: state.data.requestedModel,
    created_at: unixSeconds(state.data.createdAt),
    started_at: unixSeconds(outcome?.startedAt ?? state.startedAt),
    completed_at: unixSeconds(state.completedAt),
    output: outcome?.output ?? null,
    error,
    usage: renderJobUsage(outcome?.usage),
    cost_usd: outcome?.usage && pricing ? costUsd(outcome.usage, pricing) : null,
    attempts: outcome?.attempts ?? (state.data.priorAttempts ?? 0) + state.attemptsMade,
    provider: outcome?.provider ?? null,
    served_model: servedModel ?? null,
    ...(outcome?.condensed ? { condensed: outcome.condensed } : {}),
    metadata: state.data.metadata ?? {},
  };
}
