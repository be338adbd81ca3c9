import type { NextFunction, Request, Response } from 'express';
import { GatewayError, type ErrorBody } from '@switchyard/core';
import { renderAnthropicError, renderOpenAIError } from '@switchyard/formats';

export type ErrorFormat = 'openai' | 'anthropic';

/** Routes that speak the Anthropic API answer errors in Anthropic's envelope. */
export function useAnthropicErrors(_request: Request, response: Response, next: NextFunction): void {
  response.locals.errorFormat = 'anthropic' satisfies ErrorFormat;
  next();
}

export function setRetryAfter(response: Response, retryAfterMs: number): void {
  response.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  response.setHeader('retry-after-ms', String(Math.max(0, Math.round(retryAfterMs))));
}

/** Writes an error in the envelope of the route's API, with Retry-After where it helps. */
export function sendError(response: Response, error: GatewayError | ErrorBody): void {
  const body = error instanceof GatewayError ? error.toBody() : error;
  if (response.headersSent) {
    response.end();
    return;
  }
  if (body.retryAfterMs !== undefined && (body.status === 429 || body.status === 503)) setRetryAfter(response, body.retryAfterMs);
  // 499 is our internal "client went away" status; never send it on the wire as such.
  const status = body.status === 499 ? 409 : body.status;
  const format: ErrorFormat = response.locals.errorFormat ?? 'openai';
  response.status(status).json(format === 'anthropic' ? renderAnthropicError(body) : renderOpenAIError(body));
}
