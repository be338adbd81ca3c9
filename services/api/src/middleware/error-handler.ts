import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '@switchyard/core';
import type { Logger } from '@switchyard/logger';
import { sendError } from './error-format.ts';

type BodyParserError = Error & { type?: string; status?: number; limit?: number; code?: unknown; expose?: boolean };

/** zlib (`Z_DATA_ERROR`, `Z_BUF_ERROR`) and brotli (`ERR__ERROR_FORMAT_...`) failures, as the body parser passes them on. */
const decompressionCode = /^(Z_|ERR__)/;

/**
 * What the client got wrong, from the errors Express and its body parser throw before any
 * route runs; undefined for anything else (a real internal error).
 */
export function clientFault(error: unknown): GatewayError | undefined {
  // The router could not decode a %-escape in the path (`/v1/jobs/%E0%A4%A`).
  if (error instanceof URIError) return new GatewayError('invalid_request', 'the request path holds a malformed percent-encoding');
  const parserError = error as BodyParserError;
  switch (parserError?.type) {
    case 'entity.too.large':
      return new GatewayError('request_too_large', `request body exceeds the limit of ${parserError.limit ?? 'the server'} bytes`);
    case 'entity.parse.failed':
      return new GatewayError('invalid_json', 'request body is not valid JSON');
    case 'encoding.unsupported':
      return new GatewayError('invalid_request', 'unsupported Content-Encoding: send identity, gzip, deflate or br', { status: 415 });
    case 'charset.unsupported':
      return new GatewayError('invalid_request', 'unsupported request body charset: send UTF-8', { status: 415 });
    default:
      break;
  }
  if (typeof parserError?.code === 'string' && decompressionCode.test(parserError.code)) {
    return new GatewayError('invalid_request', 'request body could not be decompressed: it does not match its Content-Encoding');
  }
  // Any other refusal of the body parser (http-errors marks those safe to show) stays a 4xx.
  if (parserError?.expose === true && typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return new GatewayError('invalid_request', 'request body could not be read', { status: parserError.status });
  }
  return undefined;
}

/** Last middleware: every failure becomes the documented envelope, never a stack trace. */
export function createErrorHandler(logger: Logger) {
  return (error: unknown, request: Request, response: Response, _next: NextFunction): void => {
    if (error instanceof GatewayError) {
      if (error.status >= 500) logger.warn({ requestId: response.locals.requestId, code: error.code }, error.message);
      sendError(response, error);
      return;
    }
    if ((error as BodyParserError)?.type === 'request.aborted') return;
    const fault = clientFault(error);
    if (fault) {
      sendError(response, fault);
      return;
    }
    logger.error({ err: error, requestId: response.locals.requestId, path: request.path }, 'unhandled error');
    sendError(response, new GatewayError('internal_error', 'internal error'));
  };
}

export function notFoundHandler(request: Request, response: Response): void {
  sendError(response, new GatewayError('not_found', `no route for ${request.method} ${request.baseUrl}${request.path}`));
}
