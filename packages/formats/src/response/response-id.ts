// The one rule for the id a response carries. It derives from the request id, so a
// retried job, a stream and its stored non-stream body all answer with the same id.
import type { InferenceEndpoint } from '@switchyard/core';

/** Endpoints whose bodies carry an id (embeddings lists and image responses have none). */
export type IdentifiedEndpoint = Exclude<InferenceEndpoint, '/v1/embeddings' | '/v1/images/generations'>;

const prefixByEndpoint: Record<IdentifiedEndpoint, string> = {
  '/v1/chat/completions': 'chatcmpl-',
  '/v1/messages': 'msg_',
  '/v1/completions': 'cmpl-',
};

/** `chatcmpl-<id>`, `msg_<id>` or `cmpl-<id>`, where `<id>` is the request id without its `req_`. */
export function responseId(endpoint: IdentifiedEndpoint, requestId: string): string {
  return prefixByEndpoint[endpoint] + requestId.replace(/^req_/, '');
}
