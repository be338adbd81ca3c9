import type { NextFunction, Request, Response } from 'express';
import { newRequestId } from '@switchyard/core';

/** Every response carries `x-request-id`; the same id names the job behind the request. */
export function assignRequestId(_request: Request, response: Response, next: NextFunction): void {
  const requestId = newRequestId();
  response.locals.requestId = requestId;
  response.setHeader('x-request-id', requestId);
  next();
}
