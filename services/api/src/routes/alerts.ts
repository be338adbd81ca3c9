import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { renderAlert } from '@switchyard/alerts';
import { GatewayError } from '@switchyard/core';
import { acknowledgeAlert, findAlertRule, listAlerts, type AlertStatusFilter } from '@switchyard/db';
import type { ApiContext } from '../context.ts';
import { parseAdminBody } from './admin-bodies.ts';
import { listEnvelope, pageLimit } from './webhooks-paging.ts';

const alertIdPattern = /^alert_[A-Za-z0-9]{1,64}$/;
const acknowledgeBody = z.strictObject({ by: z.string().min(1).max(200).optional() });
const statusFilters: readonly AlertStatusFilter[] = ['active', 'resolved', 'all'];

const alertNotFound = (id?: string) => new GatewayError('not_found', id ? `No alert found with id '${id}'.` : 'No alert found with that id.', { param: 'id' });

function checkAlertId(_request: Request, _response: Response, next: NextFunction, id: unknown): void {
  if (typeof id === 'string' && alertIdPattern.test(id)) next();
  else next(alertNotFound());
}

/** The alerts the evaluator raised (`/v1/alerts`), for the holder of the admin key: listed newest first, acknowledged by hand. */
export function createAlertsRouter(context: ApiContext): Router {
  const router = Router();

  router.get('/', async (request: Request, response: Response) => {
    const status = request.query.status ?? 'active';
    if (typeof status !== 'string' || !statusFilters.includes(status as AlertStatusFilter))
      throw new GatewayError('invalid_request', `status must be one of ${statusFilters.join(', ')}, got ${JSON.stringify(status)}`, { param: 'status' });
    const page = await listAlerts(context.db, { status: status as AlertStatusFilter, limit: pageLimit(request) });
    const data = page.data.map((alert) =>
      renderAlert(alert, {
        id: alert.ruleId,
        name: alert.ruleName,
        metric: alert.metric,
        condition: alert.condition,
        threshold: alert.threshold,
        severity: alert.severity,
      }),
    );
    response.json(listEnvelope(data, page.hasMore));
  });

  router.param('id', checkAlertId);

  router.post('/:id/acknowledge', async (request: Request, response: Response) => {
    const id = String(request.params.id);
    const body = parseAdminBody(acknowledgeBody, request.body);
    const alert = await acknowledgeAlert(context.db, id, body.by ?? 'admin', new Date());
    if (!alert) throw alertNotFound(id);
    const rule = await findAlertRule(context.db, alert.ruleId);
    if (!rule) throw alertNotFound(id);
    response.json(renderAlert(alert, rule));
  });

  return router;
}
