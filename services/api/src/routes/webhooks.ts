import { Router, type NextFunction, type Request, type Response } from 'express';
import { GatewayError, parseWebhookAllowList } from '@switchyard/core';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  getOrCreateOrgWebhookSecret,
  listWebhookEndpoints,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from '@switchyard/db';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { idempotent } from '../middleware/idempotency.ts';
import { parseAdminBody } from './admin-bodies.ts';
import { checkWebhookUrl, createWebhookEndpointBody, updateWebhookEndpointBody } from './webhooks-bodies.ts';
import { listEnvelope, pageAfter, pageLimit } from './webhooks-paging.ts';
import { renderWebhookEndpoint } from './webhooks-render.ts';

export const webhookEndpointIdPattern = /^we_[A-Za-z0-9]{1,64}$/;

/** `router.param('id', ...)`: text that cannot be an endpoint id answers 404 like an unknown one. */
function checkWebhookEndpointId(_request: Request, _response: Response, next: NextFunction, id: unknown): void {
  if (typeof id === 'string' && webhookEndpointIdPattern.test(id)) next();
  else next(webhookEndpointNotFound());
}

export const webhookEndpointNotFound = (id?: string) =>
  new GatewayError('not_found', id ? `No webhook endpoint found with id '${id}'.` : 'No webhook endpoint found with that id.', { param: 'id' });

/**
 * The org's webhook endpoints (`/v1/webhooks`) and its default signing secret. Everything is
 * scoped to the caller's org: another org's endpoint answers 404 like an unknown one. A
 * secret is shown when it is made (create, rotate) and never again.
 */
export function createWebhooksRouter(context: ApiContext): Router {
  const router = Router();
  const allow = parseWebhookAllowList(context.config.webhooks.allow);
  const { encryptionKey } = context.config;

  // Before `/webhooks/:id`, which it would otherwise match.
  router.get('/webhooks/default/secret', async (_request: Request, response: Response) => {
    const principal = principalOf(response);
    response.json({ object: 'webhook_secret', key: await getOrCreateOrgWebhookSecret(context.db, principal.orgId, encryptionKey) });
  });

  router.post('/webhooks', idempotent(context, '/v1/webhooks'), async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const body = parseAdminBody(createWebhookEndpointBody, request.body);
    checkWebhookUrl(body.url, allow, 'url');
    const created = await createWebhookEndpoint(
      context.db,
      { orgId: principal.orgId, url: body.url, events: body.events ?? [], description: body.description ?? null },
      encryptionKey,
    );
    response.status(201).json(renderWebhookEndpoint(created.endpoint, created.secret));
  });

  router.get('/webhooks', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const after = pageAfter(request, webhookEndpointIdPattern, 'a webhook endpoint id');
    const page = await listWebhookEndpoints(context.db, principal.orgId, { limit: pageLimit(request), ...(after ? { after } : {}) });
    response.json(
      listEnvelope(
        page.data.map((endpoint) => renderWebhookEndpoint(endpoint)),
        page.hasMore,
      ),
    );
  });

  router.param('id', checkWebhookEndpointId);

  router.get('/webhooks/:id', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const id = String(request.params.id);
    const endpoint = await findWebhookEndpoint(context.db, principal.orgId, id);
    if (!endpoint) throw webhookEndpointNotFound(id);
    response.json(renderWebhookEndpoint(endpoint));
  });

  router.patch('/webhooks/:id', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const id = String(request.params.id);
    const body = parseAdminBody(updateWebhookEndpointBody, request.body);
    if (body.url !== undefined) checkWebhookUrl(body.url, allow, 'url');
    const endpoint = await updateWebhookEndpoint(context.db, principal.orgId, id, body);
    if (!endpoint) throw webhookEndpointNotFound(id);
    response.json(renderWebhookEndpoint(endpoint));
  });

  router.delete('/webhooks/:id', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const id = String(request.params.id);
    if (!(await deleteWebhookEndpoint(context.db, principal.orgId, id))) throw webhookEndpointNotFound(id);
    response.json({ id, object: 'webhook_endpoint', deleted: true });
  });

  router.post('/webhooks/:id/rotate-secret', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const id = String(request.params.id);
    const rotated = await rotateWebhookEndpointSecret(context.db, principal.orgId, id, {
      encryptionKey,
      overlapSeconds: context.config.webhooks.rotationOverlapSeconds,
    });
    if (!rotated) throw webhookEndpointNotFound(id);
    response.json(renderWebhookEndpoint(rotated.endpoint, rotated.secret));
  });

  return router;
}
