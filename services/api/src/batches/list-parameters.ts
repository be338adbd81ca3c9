import type { Request } from 'express';
import { GatewayError } from '@switchyard/core';
import { isJobId } from '../middleware/job-id.ts';

/** `limit`: an integer within the API's bounds, or its default. */
export function listLimit(request: Request, bounds: { max: number; fallback: number }): number {
  const value = request.query.limit;
  if (value === undefined || value === '') return bounds.fallback;
  const limit = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= bounds.max)) {
    throw new GatewayError('invalid_request', `limit must be an integer from 1 to ${bounds.max}, got ${JSON.stringify(value)}`, { param: 'limit' });
  }
  return limit;
}

/** A batch id cursor (`after`, `after_id`, `before_id`); text that cannot be an id is the caller's mistake. */
export function listCursor(request: Request, name: string): string | undefined {
  const value = request.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isJobId(value)) throw new GatewayError('invalid_request', `${name} must be a batch id`, { param: name });
  return value;
}
