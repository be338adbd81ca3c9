import type { Request, Response } from 'express';
import { GatewayError, type InferenceEndpoint } from '@switchyard/core';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { parseEndpointBody } from '../inference/parse-endpoint-body.ts';
import { parsePrefer } from '../inference/prefer-header.ts';
import { checkStreaming, resolveRoutes } from '../inference/resolve-routes.ts';
import { runAsync } from '../inference/run-async.ts';
import { runSync } from '../inference/run-sync.ts';

/** POST handler of one inference endpoint: validate, route, then sync, stream or async. */
export function createInferenceHandler(context: ApiContext, endpoint: InferenceEndpoint) {
  return async (request: Request, response: Response): Promise<void> => {
    const principal = principalOf(response);
    const parsed = parseEndpointBody(endpoint, request.body);
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
      throw new GatewayError('invalid_request', 'streaming is not available yet on this gateway: send stream: false', { param: 'stream' });
    }
    await runSync(context, response, enqueueRequest);
  };
}
