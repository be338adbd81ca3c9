import { Router, type Request, type Response } from 'express';
import { GatewayError } from '@switchyard/core';
import { enabledProviders } from '@switchyard/config';
import { findJob, findWebhookDelivery, findWebhookEndpoint, listWebhookDeliveries, retryWebhookDelivery, type DeliveryScope } from '@switchyard/db';
import { findRequestState } from '@switchyard/queue';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { isJobId } from '../middleware/job-id.ts';
import { webhookEndpointIdPattern, webhookEndpointNotFound } from './webhooks.ts';
import { listEnvelope, pageAfter, pageLimit } from './webhooks-paging.ts';
import { renderWebhookDelivery } from './webhooks-render.ts';

const deliveryIdPattern = /^whd_[A-Za-z0-9_-]{1,64}$/;

// Text that cannot be an id is not echoed back.
const jobNotFound = (id?: string) => new GatewayError('not_found', id ? `No job found with id '${id}'.` : 'No job found with that id.', { param: 'id' });
const deliveryNotFound = (id?: string) =>
  new GatewayError('not_found', id ? `No webhook delivery found with id '${id}'.` : 'No webhook delivery found with that id.', { param: 'delivery_id' });

/**
 * The deliveries of an org endpoint (`/v1/webhooks/{id}/deliveries`) and of a job
 * (`/v1/jobs/{id}/webhook_deliveries`: to its own URL and to every endpoint), each with its
 * attempts, and the manual retry of one. A retry only puts the delivery back in the outbox
 * under a new generation; the webhooks service sends it, with the same `webhook-id`.
 */
export function createWebhookDeliveriesRouter(context: ApiContext): Router {
  const router = Router();

  /** The scope, once the endpoint or job is known to be the caller's: else 404. */
  async function endpointScope(orgId: string, id: string): Promise<DeliveryScope> {
    if (!webhookEndpointIdPattern.test(id)) throw webhookEndpointNotFound();
    if (!(await findWebhookEndpoint(context.db, orgId, id))) throw webhookEndpointNotFound(id);
    return { endpointId: id };
  }
  async function jobScope(orgId: string, id: string): Promise<DeliveryScope> {
    if (!isJobId(id)) throw jobNotFound();
    if (await findJob(context.db, orgId, id)) return { subjectId: id };
    // A job not in Postgres yet (a sync job in flight) has no deliveries, but it exists.
    const providers = enabledProviders(context.config).map((provider) => provider.name);
    const state = await findRequestState(context.queues, providers, id);
    if (state?.data.orgId === orgId) return { subjectId: id };
    throw jobNotFound(id);
  }

  const list = (scopeOf: (orgId: string, id: string) => Promise<DeliveryScope>) => async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const scope = await scopeOf(principal.orgId, String(request.params.id));
    const after = pageAfter(request, deliveryIdPattern, 'a webhook delivery id');
    const page = await listWebhookDeliveries(context.db, principal.orgId, scope, { limit: pageLimit(request), ...(after ? { after } : {}) });
    response.json(listEnvelope(page.data.map(renderWebhookDelivery), page.hasMore));
  };

  const retry = (scopeOf: (orgId: string, id: string) => Promise<DeliveryScope>) => async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const scope = await scopeOf(principal.orgId, String(request.params.id));
    const deliveryId = String(request.params.delivery_id);
    if (!deliveryIdPattern.test(deliveryId)) throw deliveryNotFound();
    const delivery = await findWebhookDelivery(context.db, principal.orgId, scope, deliveryId);
    if (!delivery) throw deliveryNotFound(deliveryId);
    if (delivery.endpointId !== null) {
      const endpoint = await findWebhookEndpoint(context.db, principal.orgId, delivery.endpointId);
      if (!endpoint)
        throw new GatewayError('invalid_request', "the delivery's webhook endpoint was deleted: it cannot be sent again", { param: 'delivery_id' });
      if (!endpoint.enabled)
        throw new GatewayError('invalid_request', `webhook endpoint ${endpoint.id} is disabled: enable it (PATCH {"enabled": true}) before retrying`, {
          param: 'delivery_id',
        });
    }
    const retried = await retryWebhookDelivery(context.db, principal.orgId, scope, deliveryId);
    if (!retried) throw deliveryNotFound(deliveryId);
    response.status(202).json(renderWebhookDelivery(retried));
  };

  router.get('/webhooks/:id/deliveries', list(endpointScope));
  router.post('/webhooks/:id/deliveries/:delivery_id/retry', retry(endpointScope));
  router.get('/jobs/:id/webhook_deliveries', list(jobScope));
  router.post('/jobs/:id/webhook_deliveries/:delivery_id/retry', retry(jobScope));
  return router;
}
