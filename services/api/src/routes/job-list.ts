import { Router, type Request, type Response } from 'express';
import { GatewayError, type JobStatus } from '@switchyard/core';
import { listJobs } from '@switchyard/db';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { isJobId } from '../middleware/job-id.ts';
import { renderFinishedJobObject } from '../inference/finished-job-object.ts';

const statuses = ['queued', 'in_progress', 'completed', 'failed', 'cancelled', 'expired'] as const satisfies readonly JobStatus[];

/** `GET /jobs?status=&limit=&after=`: the org's jobs as the ledger recorded them, newest first, in OpenAI's list shape. */
export function createJobListRouter(context: ApiContext): Router {
  const router = Router();
  router.get('/jobs', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const status = statusParameter(request);
    const limit = limitParameter(request);
    const after = afterParameter(request);
    const page = await listJobs(context.db, principal.orgId, { limit, ...(status ? { status } : {}), ...(after ? { after } : {}) });
    const data = page.data.map((record) => renderFinishedJobObject(context.config, record));
    response.json({ object: 'list', data, has_more: page.hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  });
  return router;
}

function statusParameter(request: Request): JobStatus | undefined {
  const value = request.query.status;
  if (value === undefined || value === '') return undefined;
  const status = statuses.find((candidate) => candidate === value);
  if (!status) throw new GatewayError('invalid_request', `status must be one of ${statuses.join(', ')}, got ${JSON.stringify(value)}`, { param: 'status' });
  return status;
}

/** The cursor is a job id; anything that cannot be one (a NUL, which Postgres refuses) is the caller's mistake. */
function afterParameter(request: Request): string | undefined {
  const value = request.query.after;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isJobId(value)) throw new GatewayError('invalid_request', 'after must be a job id', { param: 'after' });
  return value;
}

function limitParameter(request: Request): number {
  const value = request.query.limit;
  if (value === undefined || value === '') return 20;
  const limit = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= 100))
    throw new GatewayError('invalid_request', `limit must be an integer from 1 to 100, got ${JSON.stringify(value)}`, { param: 'limit' });
  return limit;
}
