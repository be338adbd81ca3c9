import type { Response } from 'express';
import { GatewayError, type InferenceEndpoint, type ReplyMessage } from '@switchyard/core';
import { sendError } from '../middleware/error-format.ts';

/** Bodies that may carry `_proxy_info`: the non-stream OpenAI formats (an Anthropic body keeps its exact shape). */
const proxyInfoEndpoints: ReadonlySet<InferenceEndpoint> = new Set(['/v1/chat/completions', '/v1/completions', '/v1/embeddings']);

export type ReplyOptions = {
  endpoint: InferenceEndpoint;
  /** Epoch ms the request was received: `_proxy_info.response_time` runs from it. */
  receivedAt: number;
  /** `server.proxyInfo`. */
  proxyInfo: boolean;
};

/** Answers a finished sync request: the endpoint's body or its error, with the routing headers (and the same facts in `_proxy_info`). */
export function sendReply(response: Response, reply: ReplyMessage, options: ReplyOptions): void {
  response.setHeader('x-job-id', reply.requestId);
  if (reply.provider) response.setHeader('x-switchyard-provider', reply.provider);
  if (reply.model) response.setHeader('x-switchyard-model', reply.model);
  response.setHeader('x-switchyard-attempts', String(reply.attempts));
  if (reply.condensed) response.setHeader('x-switchyard-condensed', reply.condensed);
  if (reply.queueMs !== undefined) response.setHeader('x-switchyard-queue-ms', String(Math.max(0, reply.queueMs)));
  if (reply.status === 'completed') {
    response
      .status(200)
      .json(withProxyInfo(response, reply.output, options, { provider: reply.provider, attempts: reply.attempts, requestId: reply.requestId }));
    return;
  }
  sendError(response, reply.error ?? new GatewayError('internal_error', `request ${reply.status}`));
}

/** The body with `_proxy_info` when the endpoint's format takes it and the config wants it (a cache hit's too: 0 attempts). */
export function withProxyInfo(
  response: Response,
  output: unknown,
  options: ReplyOptions,
  facts: { provider: string | undefined; attempts: number; requestId: string },
): unknown {
  if (!options.proxyInfo || !proxyInfoEndpoints.has(options.endpoint) || !isObject(output)) return output;
  const proxyInfo = {
    provider: facts.provider ?? null,
    attempt_number: facts.attempts,
    response_time: Math.max(0, Date.now() - options.receivedAt),
    request_id: String(response.getHeader('x-request-id') ?? facts.requestId),
  };
  return { ...output, _proxy_info: proxyInfo };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
