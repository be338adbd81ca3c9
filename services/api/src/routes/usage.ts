import { Router, type Request, type Response } from 'express';
import { GatewayError } from '@switchyard/core';
import { usageReport, type UsageGroupBy } from '@switchyard/db';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';

const groupings = ['model', 'day', 'key'] as const satisfies readonly UsageGroupBy[];

/** `GET /usage?from_date&to_date&group_by`: the caller's org only, UTC days, both ends included. */
export function createUsageRouter(context: ApiContext): Router {
  const router = Router();
  router.get('/usage', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const today = new Date().toISOString().slice(0, 10);
    const fromDate = dayParameter(request, 'from_date') ?? `${today.slice(0, 7)}-01`;
    const toDate = dayParameter(request, 'to_date') ?? today;
    if (fromDate > toDate) throw new GatewayError('invalid_request', `from_date (${fromDate}) must not be after to_date (${toDate})`, { param: 'from_date' });
    const groupBy = groupByParameter(request);
    response.json(await usageReport(context.db, principal.orgId, { fromDate, toDate, ...(groupBy ? { groupBy } : {}) }));
  });
  return router;
}

function dayParameter(request: Request, name: string): string | undefined {
  const value = request.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && isDay(value)) return value;
  throw new GatewayError('invalid_request', `${name} must be a date as YYYY-MM-DD, got ${JSON.stringify(value)}`, { param: name });
}

function groupByParameter(request: Request): UsageGroupBy | undefined {
  const value = request.query.group_by;
  if (value === undefined || value === '') return undefined;
  const grouping = groupings.find((candidate) => candidate === value);
  if (!grouping)
    throw new GatewayError('invalid_request', `group_by must be one of ${groupings.join(', ')}, got ${JSON.stringify(value)}`, { param: 'group_by' });
  return grouping;
}

/** A real calendar day from year 1 to 9999: Postgres has no year 0, and JavaScript dates make one up. */
export function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || value.startsWith('0000')) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}
