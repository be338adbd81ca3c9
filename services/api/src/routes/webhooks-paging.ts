import type { Request } from 'express';
import { GatewayError } from '@switchyard/core';

/** `limit`: 1 to 100, default 20. */
export function pageLimit(request: Request): number {
  const value = request.query.limit;
  if (value === undefined || value === '') return 20;
  const limit = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= 100))
    throw new GatewayError('invalid_request', `limit must be an integer from 1 to 100, got ${JSON.stringify(value)}`, { param: 'limit' });
  return limit;
}

/** `after`: the id of the last item of the previous page; text that cannot be such an id is refused. */
export function pageAfter(request: Request, pattern: RegExp, what: string): string | undefined {
  const value = request.query.after;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new GatewayError('invalid_request', `after must be ${what}`, { param: 'after' });
  return value;
}

/** OpenAI's list envelope. */
export function listEnvelope<T extends { id: string }>(data: T[], hasMore: boolean) {
  return { object: 'list' as const, data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
