// A hit answered in the shape the request asked for: the stored body as JSON, or, for a
// stream, the stored body told again as the route's own stream (terminator included).
import type { Response } from 'express';
import type { InferenceEndpoint } from '@switchyard/core';
import { retellResponse } from '@switchyard/formats';
import { withProxyInfo } from '../inference/send-reply.ts';
import { createSseResponse } from '../streaming/sse-response.ts';
import { createStreamEventRenderer } from '../streaming/stream-event-renderer.ts';
import { streamingDefaults } from '../streaming/streaming-defaults.ts';
import type { CachedAnswer } from './response-cache-store.ts';

export type CachedAnswerRequest = {
  endpoint: InferenceEndpoint;
  requestId: string;
  requestedModel: string;
  stream: boolean;
  includeUsage: boolean;
  /** Epoch ms the request was received, and `server.proxyInfo` (a non-stream hit carries `_proxy_info` as a miss does). */
  receivedAt: number;
  proxyInfo: boolean;
};

/** False when a stream was asked for and the stored body cannot be told as one (nothing was sent). */
export async function sendCachedAnswer(response: Response, answer: CachedAnswer, request: CachedAnswerRequest): Promise<boolean> {
  const headers: Record<string, string> = { 'x-switchyard-cache': 'hit', 'x-switchyard-attempts': '0' };
  if (answer.provider) headers['x-switchyard-provider'] = answer.provider;
  if (answer.model) headers['x-switchyard-model'] = answer.model;
  if (!request.stream) {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    const facts = { provider: answer.provider, attempts: 0, requestId: request.requestId };
    response.status(200).json(withProxyInfo(response, answer.output, request, facts));
    return true;
  }
  const parts = retellResponse(request.endpoint, answer.output);
  if (!parts) return false;
  const sse = createSseResponse(response, { keepAliveMs: streamingDefaults.keepAliveMs });
  const renderer = createStreamEventRenderer({
    endpoint: request.endpoint,
    requestId: request.requestId,
    createdAt: Date.now(),
    includeUsage: request.includeUsage,
    eventIds: false,
  });
  sse.open(headers);
  const model = answer.model ?? request.requestedModel;
  for (const part of parts) {
    for (const event of renderer.render(part, model)) if (!sse.write(event.text)) await sse.drained();
    if (sse.finished) break;
  }
  sse.end();
  return true;
}
