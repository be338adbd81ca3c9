import { GatewayError, type InferenceJobData, type Route, type Usage } from '@switchyard/core';
import type { ProviderAdapter } from '@switchyard/providers';
import { renderChatOutput, renderCompletionOutput, renderEmbeddingsOutput } from './render-output.ts';

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
      return { output: renderChatOutput(data, response, route.model), usage: response.usage };
    }
    case 'embeddings': {
      if (!adapter.embed) throw new GatewayError('invalid_request', `provider ${route.provider} does not serve embeddings`);
      const response = await adapter.embed({ ...call.request, model: route.upstreamModel }, options);
      return { output: renderEmbeddingsOutput(response, route.model, call.encodingFormat ?? 'float'), usage: response.usage };
    }
    case 'completion': {
      if (!adapter.complete) throw new GatewayError('invalid_request', `provider ${route.provider} does not serve completions`);
      const response = await adapter.complete({ ...call.request, model: route.upstreamModel }, options);
      return { output: renderCompletionOutput(data, response, route.model), usage: response.usage };
    }
  }
}
