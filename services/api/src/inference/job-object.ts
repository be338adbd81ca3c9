import { costUsd, type ErrorBody, type Usage } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import type { RequestState } from '@switchyard/queue';

export const seconds = (epochMs: number | undefined): number | null => (epochMs ? Math.floor(epochMs / 1000) : null);

export function renderUsage(usage: Usage | undefined) {
  if (!usage) return null;
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    cached_input_tokens: usage.cachedInputTokens ?? 0,
    estimated: usage.estimated ?? false,
  };
}

/** The OpenAI-style error of a job object; records keep at least code and message. */
export function renderError(error: (Partial<ErrorBody> & { code: string; message: string }) | undefined) {
  return error ? { message: error.message, type: error.type ?? 'api_error', code: error.code, param: error.param ?? null } : null;
}

/** The public job object (docs/api.md, "Async jobs"); `output` is exactly the endpoint's body. */
export function renderJobObject(config: SwitchyardConfig, state: RequestState) {
  const outcome = state.outcome;
  const servedModel = outcome?.model;
  const pricing = servedModel ? config.models[servedModel]?.pricing : undefined;
  const error = renderError(outcome?.error);
  return {
    id: state.data.requestId,
    object: 'job' as const,
    status: state.status,
    endpoint: state.data.endpoint,
    model: state.data.requestedModel,
    created_at: seconds(state.data.createdAt),
    started_at: seconds(outcome?.startedAt ?? state.startedAt),
    completed_at: seconds(state.completedAt),
    output: outcome?.output ?? null,
    error,
    usage: renderUsage(outcome?.usage),
    cost_usd: outcome?.usage && pricing ? costUsd(outcome.usage, pricing) : null,
    attempts: outcome?.attempts ?? (state.data.priorAttempts ?? 0) + state.attemptsMade,
    provider: outcome?.provider ?? null,
    served_model: servedModel ?? null,
    metadata: state.data.metadata ?? {},
  };
}

export type JobObject = ReturnType<typeof renderJobObject>;
