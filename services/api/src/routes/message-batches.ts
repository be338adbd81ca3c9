import { Router, type Request, type Response } from 'express';
import { GatewayError } from '@switchyard/core';
import { cancelBatch, createBatch, getBatch, listBatches, readBatchResults, type BatchRecord } from '@switchyard/batches';
import { anthropicProcessingStatus, renderAnthropicBatch, renderAnthropicResultLine } from '@switchyard/formats';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../middleware/authenticate.ts';
import { isJobId } from '../middleware/job-id.ts';
import { listCursor, listLimit } from '../batches/list-parameters.ts';
import { parseAnthropicBatchRequest } from '../batches/parse-anthropic-batch.ts';
import { streamJsonLines } from '../batches/stream-jsonl.ts';
import { idempotent } from '../middleware/idempotency.ts';

// Text that cannot be an id is not echoed back (it may be kilobytes of anything).
const notFound = (id: string) =>
  new GatewayError('not_found', isJobId(id) ? `No Message Batch found with id '${id}'.` : 'No Message Batch found with that id.', {
    param: 'message_batch_id',
  });

/** Where the SDK's `results()` fetches the lines: absolute, on the host the client called (proxies' forwarded headers honoured). */
const resultsUrlOf = (request: Request, id: string) => `${request.protocol}://${request.host}/v1/messages/batches/${id}/results`;

/**
 * Anthropic's Message Batches API over the batch engine, mounted at `/messages/batches` ahead
 * of the Messages route (errors in Anthropic's envelope, as every `/v1/messages` route):
 * create, retrieve, list, cancel and the JSONL results. Only the Anthropic shell's batches
 * are seen here; another org's batch is not found.
 */
export function createMessageBatchesRouter(context: ApiContext): Router {
  const router = Router();

  async function findOwnBatch(orgId: string, id: string): Promise<BatchRecord> {
    const record = isJobId(id) ? await getBatch(context.db, orgId, id) : undefined;
    if (record?.shell !== 'anthropic') throw notFound(id);
    return record;
  }

  router.post('/', idempotent(context, '/v1/messages/batches'), async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const { lines } = parseAnthropicBatchRequest(request.body, { maxLines: context.config.batches.maxLines });
    const record = await createBatch(context, {
      orgId: principal.orgId,
      keyId: principal.keyId,
      endpoint: '/v1/messages',
      completionWindow: '24h',
      source: { lines },
      shell: 'anthropic',
    });
    const batch = renderAnthropicBatch(record, resultsUrlOf(request, record.id));
    // The engine counts lines as it validates them, after this answer; every request is still to run.
    response.json({ ...batch, request_counts: { ...batch.request_counts, processing: lines.length } });
  });

  router.get('/', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const limit = listLimit(request, { max: 1000, fallback: 20 });
    const after = listCursor(request, 'after_id');
    const before = listCursor(request, 'before_id');
    if (after && before) throw new GatewayError('invalid_request', 'give after_id or before_id, not both', { param: 'before_id' });
    const page = await listBatches(context.db, principal.orgId, { limit, shell: 'anthropic', ...(after ? { after } : {}), ...(before ? { before } : {}) });
    const data = page.data.map((record) => renderAnthropicBatch(record, resultsUrlOf(request, record.id)));
    response.json({ data, has_more: page.hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  });

  router.get('/:id', async (request: Request, response: Response) => {
    const record = await findOwnBatch(principalOf(response).orgId, String(request.params.id));
    response.json(renderAnthropicBatch(record, resultsUrlOf(request, record.id)));
  });

  router.post('/:id/cancel', async (request: Request, response: Response) => {
    const principal = principalOf(response);
    const id = String(request.params.id);
    await findOwnBatch(principal.orgId, id);
    const record = await cancelBatch(context, principal.orgId, id);
    if (!record) throw notFound(id);
    response.json(renderAnthropicBatch(record, resultsUrlOf(request, record.id)));
  });

  router.get('/:id/results', async (request: Request, response: Response) => {
    const record = await findOwnBatch(principalOf(response).orgId, String(request.params.id));
    if (anthropicProcessingStatus(record.status) !== 'ended') {
      throw new GatewayError('invalid_request', `Message Batch ${record.id} has not ended yet; its results are available once processing_status is 'ended'`, {
        param: 'message_batch_id',
      });
    }
    await streamJsonLines(response, mapLines(readBatchResults(context.db, record.orgId, record.id), renderAnthropicResultLine));
  });

  return router;
}

async function* mapLines<From, To>(lines: AsyncIterable<From>, render: (line: From) => To): AsyncIterable<To> {
  for await (const line of lines) yield render(line);
}
