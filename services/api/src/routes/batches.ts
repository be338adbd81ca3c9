import { Router, type Request, type Response } from 'express';
import { GatewayError, parseWebhookAllowList } from '@switchyard/core';
import { cancelBatch, createBatch, getBatch, listBatches, type BatchRecord } from '@switchyard/batches';
import { renderOpenAiBatch } from '@switchyard/formats';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { isJobId } from '../middleware/job-id.ts';
import { listCursor, listLimit } from '../batches/list-parameters.ts';
import { parseOpenAiBatchRequest } from '../batches/parse-openai-batch.ts';
import { idempotent } from '../middleware/idempotency.ts';

/** Text that cannot be an id (a NUL, which Postgres refuses) names no file; the engine checks the rest (owner, purpose, lines). */
function checkFileIdShape(fileId: string): void {
  if (!isJobId(fileId)) throw new GatewayError('not_found', 'No such File object.', { param: 'input_file_id' });
}

// Text that cannot be an id is not echoed back (it may be kilobytes of anything).
const notFound = (id: string) =>
  new GatewayError('not_found', isJobId(id) ? `No batch found with id '${id}'.` : 'No batch found with that id.', { param: 'batch_id' });

/**
 * OpenAI's Batch API over the batch engine: `POST /batches` (a file of requests, or inline
 * `requests`), `GET /batches`, `GET /batches/{id}`, `POST /batches/{id}/cancel`. Only the
 * OpenAI shell's batches are seen here; another org's batch is not found.
 */
export function createBatchesRouter(context: ApiContext): Router {
  const router = Router();
  const webhookAllow = parseWebhookAllowList(context.config.webhooks.allow);

  async function findOwnBatch(orgId: string, id: string): Promise<BatchRecord> {
    const record = isJobId(id) ? await getBatch(context.db, orgId, id) : undefined;
    if (record?.shell !== 'openai') throw notFound(id);
    return record;
  }

  router.post('/batches', idempotent(context, '/v1/batches'), async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const batch = parseOpenAiBatchRequest(request.body, { maxLines: context.config.batches.maxLines, webhookAllow });
    if ('fileId' in batch.source) checkFileIdShape(batch.source.fileId);
    const record = await createBatch(context, { ...batch, orgId: principal.orgId, keyId: principal.keyId, shell: 'openai' });
    response.json(renderOpenAiBatch(record));
  });

  router.get('/batches', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const limit = listLimit(request, { max: 100, fallback: 20 });
    const after = listCursor(request, 'after');
    const page = await listBatches(context.db, principal.orgId, { limit, shell: 'openai', ...(after ? { after } : {}) });
    const data = page.data.map(renderOpenAiBatch);
    response.json({ object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: page.hasMore });
  });

  router.get('/batches/:id', async (request: Request, response: Response) => {
    response.json(renderOpenAiBatch(await findOwnBatch(principalOf(response).orgId, String(request.params.id))));
  });

  router.post('/batches/:id/cancel', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const id = String(request.params.id);
    await findOwnBatch(principal.orgId, id);
    const record = await cancelBatch(context, principal.orgId, id);
    if (!record) throw notFound(id);
    response.json(renderOpenAiBatch(record));
  });

  return router;
}
