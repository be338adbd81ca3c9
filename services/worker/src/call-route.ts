import { GatewayError, type InferenceJobData, type Route, type Usage } from '@switchyard/core';
import { renderResponse, type CanonicalResult } from '@switchyard/formats';
import type { ProviderAdapter } from '@switchyard/providers';

export type RouteResult = { output: unknown; usage: Usage };

/** One upstream call for the job's current route, answered in the endpoint's format. */
export async function callRoute(
  adapter: ProviderAdapter,
  data: InferenceJobData,
  route: Route,
  options: { signal: AbortSignal; modelOptions: Record<string, unknown> },
): Promise<RouteResult> {
  const call = data.call;
  switch (call.kind) {
    case 'chat': {
      const response = await adapter.generate({ ...call.request, model: route.upstreamModel }, options);
      return answer(data, route, { kind: 'chat', response });
    }
    case 'embeddings': {
      if (!adapter.embed) throw new GatewayError('invalid_request', `provider ${route.provider} does not serve embeddings`);
      const response = await adapter.embed({ ...call.request, model: route.upstreamModel }, options);
      return answer(data, route, { kind: 'embeddings', response, encodingFormat: call.encodingFormat ?? 'float' });
    }
    case 'completion': {
      if (!adapter.complete) throw new GatewayError('invalid_request', `provider ${route.provider} does not serve completions`);
      const response = await adapter.complete({ ...call.request, model: route.upstreamModel }, options);
      return answer(data, route, { kind: 'completion', response });
    }
    case 'image': {
      if (!adapter.generateImages) throw new GatewayError('invalid_request', `provider ${route.provider} does not generate images`);
      const response = await adapter.generateImages({ ...call.request, model: route.upstreamModel }, options);
      return answer(data, route, { kind: 'image', response });
    }
  }
}

/** The endpoint's body for a result, naming the catalog model that served it. */
export function answer(data: InferenceJobData, route: Route, result: CanonicalResult): RouteResult {
  const output = renderResponse(data.endpoint, result, { requestId: data.requestId, createdAt: data.createdAt, model: route.model });
  return { output, usage: result.response.usage };
}
