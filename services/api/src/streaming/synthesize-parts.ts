// A finished job whose token stream is gone (expired, or it never streamed): its stored
// output, the endpoint's non-stream body, told again as stream parts.
import type { InferenceEndpoint, StreamPart } from '@switchyard/core';
import { retellResponse } from '@switchyard/formats';

/** Undefined when the output is not a chat body of the endpoint. */
export function partsFromOutput(endpoint: InferenceEndpoint, output: unknown): StreamPart[] | undefined {
  return retellResponse(endpoint, output);
}
