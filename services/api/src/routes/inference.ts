import type { Request, Response } from 'express';
import type { InferenceEndpoint } from '@switchyard/core';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { parseEndpointBody } from '../inference/parse-endpoint-body.ts';
import { parsePrefer } from '../inference/prefer-header.ts';
import { checkStreaming, resolveRoutes } from '../inference/resolve-routes.ts';
import { runAsync } from '../inference/run-async.ts';
import { runSync } from '../inference/run-sync.ts';
import { runStream } from '../streaming/run-stream.ts';
import { streamingUnsupported } from '../streaming/streaming-unsupported.ts';

/** POST handler of one inference endpoint: validate, route, then sync, stream or async. */
export function createInferenceHandler(context: ApiContext, endpoint: InferenceEndpoint) {
  return async (request: Request, response: Response): Promise<void> => {
    const principal = principalOf(response);
    const parsed = parseEndpointBody(endpoint, request.body);
    if (parsed.stream && parsed.call.kind !== 'chat') throw streamingUnsupported(endpoint);
    const { model, routes } = resolveRoutes(context.config, parsed.requestedModel, parsed.call);
    const enqueueRequest = {
      requestId: response.locals.requestId as string,
      principal,
      endpoint,
      call: parsed.call,
      requestedModel: parsed.requestedModel,
      routes,
      stream: parsed.stream,
      includeUsage: parsed.includeUsage,
    };
    const prefer = parsePrefer(request, context.config.server.maxPreferWaitSeconds);
    if (prefer.respondAsync) {
      await runAsync(context, response, enqueueRequest, { waitSeconds: prefer.waitSeconds });
      return;
    }
    if (parsed.stream) {
      checkStreaming(model, parsed.requestedModel);
      await runStream(context, response, enqueueRequest);
      return;
    }
    await runSync(context, response, enqueueRequest);
  };
}
