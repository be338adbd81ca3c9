import type { Response } from 'express';
import { GatewayError, type ReplyMessage } from '@switchyard/core';
import { sendError } from '../middleware/error-format.ts';

/** Answers a finished sync request: the endpoint's body or its error, with the routing headers. */
export function sendReply(response: Response, reply: ReplyMessage): void {
  response.setHeader('x-job-id', reply.requestId);
  if (reply.provider) response.setHeader('x-switchyard-provider', reply.provider);
  if (reply.model) response.setHeader('x-switchyard-model', reply.model);
  response.setHeader('x-switchyard-attempts', String(reply.attempts));
  if (reply.condensed) response.setHeader('x-switchyard-condensed', reply.condensed);
  if (reply.queueMs !== undefined) response.setHeader('x-switchyard-queue-ms', String(Math.max(0, reply.queueMs)));
  if (reply.status === 'completed') {
    response.status(200).json(reply.output);
    return;
  }
  sendError(response, reply.error ?? new GatewayError('internal_error', `request ${reply.status}`));
}
