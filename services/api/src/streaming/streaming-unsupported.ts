import { GatewayError, type InferenceEndpoint } from '@switchyard/core';

/** The provider interface streams chat only; legacy completions and embeddings never stream. */
export function streamingUnsupported(endpoint: InferenceEndpoint): GatewayError {
  return new GatewayError('invalid_request', `streaming is not supported on ${endpoint}`, { param: 'stream' });
}
