// Context condensation around one upstream call: when the model has `condensation` set and
// the request is longer than its context (by the gateway's estimate, or the provider refused
// it as such), the oldest turns go (or are summarized) and the call is made again, once. A
// streaming call fails this way before its first token, so nothing has reached the client.
import { createHash } from 'node:crypto';
import {
  condensedAsByStrategy,
  condensedMessages,
  defaultSummaryMaxTokens,
  estimateChatRequestTokens,
  estimateMessagesTokens,
  GatewayError,
  planCondensation,
  ProviderError,
  refusedRequestShare,
  summaryMessagePrefix,
  summaryRequest,
  textOf,
  type CanonicalMessage,
  type ChatRequest,
  type CondensationChoice,
  type CondensedAs,
  type InferenceJobData,
  type Route,
  type Usage,
} from '@switchyard/core';
import type { ModelConfig, SwitchyardConfig } from '@switchyard/config';
import type { ProviderAdapter } from '@switchyard/providers';
import { condensationSummaryKey, type RedisConnection } from '@switchyard/queue';
import type { RouteResult } from './call-route.ts';

const summaryCacheSeconds = 24 * 60 * 60;

/** What condensation did to the job's call; the processor reads it for attempt numbers and the outcome. */
export type CondensationTracker = {
  /** Attempts made besides the final call: the call the provider refused, the summary call. */
  extraAttempts: number;
  condensed?: CondensedAs;
};

export type CondensationAttempt = {
  data: InferenceJobData;
  attempt: number;
  status: 'completed' | 'failed';
  usage?: Usage;
  startedAt: number;
  finishedAt: number;
};

export type CondensationDependencies = {
  config: SwitchyardConfig;
  adapters: Map<string, ProviderAdapter>;
  redis: RedisConnection;
  prefix: string;
  signal: AbortSignal;
  /** Number of this job's first attempt; the extra ones follow it. */
  firstAttempt: number;
  /** Bills an extra attempt as the worker bills any (the ledger's usage entry). */
  onAttempt: (attempt: CondensationAttempt) => Promise<void>;
};

type Condensation = NonNullable<ModelConfig['condensation']>;

/** The model's condensation, with the request's own choice over it. */
function settingsOf(model: ModelConfig, choice: CondensationChoice | undefined): Condensation | undefined {
  if (choice === 'off') return undefined;
  if (!choice) return model.condensation;
  return { summaryMaxTokens: defaultSummaryMaxTokens, ...model.condensation, strategy: choice };
}

const isContextLengthError = (error: unknown): error is GatewayError => error instanceof GatewayError && error.code === 'context_length_exceeded';

export async function callWithCondensation(
  data: InferenceJobData,
  route: Route,
  dependencies: CondensationDependencies,
  tracker: CondensationTracker,
  call: (data: InferenceJobData) => Promise<RouteResult>,
): Promise<RouteResult> {
  const model = dependencies.config.models[route.model];
  const settings = model && settingsOf(model, data.condense);
  if (!model || !settings || data.call.kind !== 'chat') return call(data);
  const request = data.call.request;
  const estimate = estimateChatRequestTokens(request);
  let budget = model.contextLength;
  let refused: { error: GatewayError; startedAt: number; finishedAt: number } | undefined;
  if (estimate <= budget) {
    const startedAt = Date.now();
    try {
      return await call(data);
    } catch (caught) {
      if (!isContextLengthError(caught)) throw caught;
      refused = { error: caught, startedAt, finishedAt: Date.now() };
      budget = Math.min(budget, Math.floor(estimate * refusedRequestShare(caught instanceof ProviderError ? caught.detail : caught.message)));
    }
  }
  const reserved =
    settings.strategy === 'summarize' ? settings.summaryMaxTokens + estimateMessagesTokens([{ role: 'system', content: summaryMessagePrefix }]) : 0;
  const plan = planCondensation(request.messages, (kept) => estimateChatRequestTokens({ ...request, messages: kept }) + reserved <= budget);
  if (!plan) {
    throw (
      refused?.error ??
      new GatewayError(
        'context_length_exceeded',
        `the request needs about ${estimate} tokens, more than the ${model.contextLength} of model ${route.model}, even with every turn but the system messages and the last user message dropped`,
      )
    );
  }
  const nextAttempt = () => dependencies.firstAttempt + tracker.extraAttempts++;
  if (refused) await dependencies.onAttempt({ data, attempt: nextAttempt(), status: 'failed', startedAt: refused.startedAt, finishedAt: refused.finishedAt });
  const summary = settings.strategy === 'summarize' ? await summarize(plan.dropped, data, route, settings, dependencies, nextAttempt) : undefined;
  tracker.condensed = condensedAsByStrategy[settings.strategy];
  const condensed: ChatRequest = { ...request, messages: condensedMessages(plan, summary) };
  return call({ ...data, call: { ...data.call, request: condensed } });
}

/** The summary of `dropped`, from the cache or written by the summary model (and billed as an attempt). */
async function summarize(
  dropped: CanonicalMessage[],
  data: InferenceJobData,
  route: Route,
  settings: Condensation,
  dependencies: CondensationDependencies,
  nextAttempt: () => number,
): Promise<string> {
  const summaryRoute = summaryRouteOf(settings.summaryModel ?? route.model, route, dependencies.config);
  const contentHash = createHash('sha256')
    .update(JSON.stringify({ model: summaryRoute.model, maxTokens: settings.summaryMaxTokens, dropped }))
    .digest('hex');
  const key = condensationSummaryKey(dependencies.prefix, contentHash);
  const cached = await dependencies.redis.get(key);
  if (cached !== null) return cached;
  const adapter = dependencies.adapters.get(summaryRoute.provider);
  if (!adapter) throw new GatewayError('provider_unavailable', `provider ${summaryRoute.provider} of the summary model is not enabled on this worker`);
  const startedAt = Date.now();
  // A failed summary call is the job's failing attempt: the processor records it.
  const response = await adapter.generate(summaryRequest(dropped, summaryRoute.upstreamModel, settings.summaryMaxTokens), {
    signal: dependencies.signal,
    modelOptions: dependencies.config.models[summaryRoute.model]?.options ?? {},
  });
  const summaryData = { ...data, routes: data.routes.map((each, index) => (index === data.routeIndex ? summaryRoute : each)) };
  await dependencies.onAttempt({ data: summaryData, attempt: nextAttempt(), status: 'completed', usage: response.usage, startedAt, finishedAt: Date.now() });
  const summary = textOf(response.content).trim();
  await dependencies.redis.set(key, summary, 'EX', summaryCacheSeconds);
  return summary;
}

function summaryRouteOf(modelId: string, route: Route, config: SwitchyardConfig): Route {
  if (modelId === route.model) return route;
  const model = config.models[modelId];
  if (!model) throw new GatewayError('internal_error', `summary model ${modelId} is not in the catalog`);
  return { provider: model.provider, model: modelId, upstreamModel: model.upstreamModel ?? modelId };
}
