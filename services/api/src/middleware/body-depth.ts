// JSON.parse takes any depth, but the code after it (job serialisation, structured clone,
// recursive translators) recurses and overflows the stack on a few thousand levels. No
// API body needs more than a few dozen (tool schemas are the deepest), so deeper bodies
// are refused right after parsing.
import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '@switchyard/core';

export const maxBodyDepth = 100;

/** True when arrays and objects nest more than `limit` levels; iterative, so it cannot overflow itself. */
export function exceedsDepth(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
  }
  return false;
}

export function refuseDeepBodies(request: Request, _response: Response, next: NextFunction): void {
  if (exceedsDepth(request.body, maxBodyDepth)) {
    next(new GatewayError('invalid_json', `request body nests deeper than ${maxBodyDepth} levels`));
    return;
  }
  next();
}
