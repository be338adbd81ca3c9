import type { Request, Response } from 'express';
import { trace } from '@opentelemetry/api';
import { checkStreaming, resolveRoutes } from '@switchyard/config';
import type { InferenceEndpoint, Usage } from '@switchyard/core';
import { parseEndpointBody } from '@switchyard/formats';
import { planResponseCache } from '../cache/cache-policy.ts';
import { runCached } from '../cache/run-cached.ts';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { streamingUnsupported } from '../streaming/streaming-unsupported.ts';
import { runStream } from '../streaming/run-stream.ts';
import { parseCondenseHeader } from './condense-header.ts';
import { parsePrefer } from './prefer-header.ts';
import { runAsync } from './run-async.ts';
import { runSync } from './run-sync.ts';

/** What a caller asked to run: an endpoint's body, and for `POST /v1/jobs` the job's own options. */
export type InferenceInput = {
  endpoint: InferenceEndpoint;
  body: unknown;
  job?: { metadata?: Record<string, string>; ttlSeconds?: number; webhookUrl?: string; webhookEvents?: string[] };
};

/**
 * Every inference request, in the order it is checked: parse and validate the body,
 * resolve the model to its route chain, admit it (budget, rate limits), then answer it
 * synchronously, as a stream or as an async job. The admission's token charge is settled
 * once, whatever happened. The response cache sits after admission, so a hit still counts
 * against the org's budget check and request rate limit, and settles with no tokens.
 */
export async function runInference(context: ApiContext, request: Request, response: Response, input: InferenceInput): Promise<void> {
  const principal = principalOf(response);
  const parsed = parseEndpointBody(input.endpoint, input.body);
  if (parsed.stream && parsed.call.kind !== 'chat') throw streamingUnsupported(input.endpoint);
  // `least-busy` deployments read the queue depth the backpressure sampler last saw.
  const { model, routes } = resolveRoutes(context.config, parsed.requestedModel, parsed.call, {
    queueDepth: (provider) => context.backpressure.load(provider)?.waitingAll,
  });
  trace.getActiveSpan()?.setAttribute('switchyard.model.requested', parsed.requestedModel);
  if (parsed.stream) checkStreaming(model, parsed.requestedModel);
  const prefer = parsePrefer(request, context.config.server.maxPreferWaitSeconds);
  const condense = parseCondenseHeader(request);
  const asynchronous = input.job !== undefined || prefer.respondAsync;
  const cache = planResponseCache({
    config: context.config,
    model,
    endpoint: input.endpoint,
    body: input.body,
    cacheHeader: request.get('x-switchyard-cache'),
    cacheControl: request.get('cache-control'),
    asynchronous,
  });
  if (cache.kind === 'skip') context.metrics.countCacheRequest('skip');

  const ticket = await context.admission.admit(principal, response, input.body);
  let usage: Usage | undefined;
  try {
    const spec = {
      requestId: response.locals.requestId as string,
      principal,
      endpoint: input.endpoint,
      call: parsed.call,
      requestedModel: parsed.requestedModel,
      routes,
      stream: parsed.stream,
      includeUsage: parsed.includeUsage,
      ...(input.job?.metadata ? { metadata: input.job.metadata } : {}),
      ...(input.job?.webhookUrl ? { webhookUrl: input.job.webhookUrl } : {}),
      ...(input.job?.webhookEvents ? { webhookEvents: input.job.webhookEvents } : {}),
      ...(condense ? { condense } : {}),
    };
    if (asynchronous) usage = await runAsync(context, response, spec, { ttlSeconds: input.job?.ttlSeconds, waitSeconds: prefer.waitSeconds });
    else if (cache.kind === 'use')
      usage = await runCached(
        context,
        response,
        { spec, body: input.body, modelId: model.id, lookup: cache.lookup, ttlSeconds: cache.ttlSeconds },
        (onReply) => (parsed.stream ? runStream(context, response, spec, onReply) : runSync(context, response, spec, onReply)),
      );
    else if (parsed.stream) usage = await runStream(context, response, spec);
    else usage = await runSync(context, response, spec);
  } finally {
    void ticket.settle(usage).catch((error: unknown) => context.logger.warn({ err: error }, 'could not settle the token charge'));
  }
}

/** POST handler of one inference endpoint. */
export function createInferenceHandler(context: ApiContext, endpoint: InferenceEndpoint) {
  return (request: Request, response: Response): Promise<void> => runInference(context, request, response, { endpoint, body: request.body });
}
