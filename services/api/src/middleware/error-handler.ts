import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '@switchyard/core';
import type { Logger } from '@switchyard/logger';
import { sendError } from './error-format.ts';

type BodyParserError = Error & { type?: string; status?: number; limit?: number };

/** Last middleware: every failure becomes the documented envelope, never a stack trace. */
export function createErrorHandler(logger: Logger) {
  return (error: unknown, request: Request, response: Response, _next: NextFunction): void => {
    if (error instanceof GatewayError) {
      if (error.status >= 500) logger.warn({ requestId: response.locals.requestId, code: error.code }, error.message);
      sendError(response, error);
      return;
    }
    const parserError = error as BodyParserError;
    switch (parserError?.type) {
      case 'entity.too.large':
        sendError(response, new GatewayError('request_too_large', `request body exceeds the limit of ${parserError.limit ?? 'the server'} bytes`));
        return;
      case 'entity.parse.failed':
        sendError(response, new GatewayError('invalid_json', 'request body is not valid JSON'));
        return;
      case 'encoding.unsupported':
      case 'charset.unsupported':
        sendError(response, new GatewayError('invalid_request', 'unsupported request body encoding'));
        return;
      case 'request.aborted':
        return;
      default:
        break;
    }
    logger.error({ err: error, requestId: response.locals.requestId, path: request.path }, 'unhandled error');
    sendError(response, new GatewayError('internal_error', 'internal error'));
  };
}

export function notFoundHandler(request: Request, response: Response): void {
  sendError(response, new GatewayError('not_found', `no route for ${request.method} ${request.baseUrl}${request.path}`));
}
