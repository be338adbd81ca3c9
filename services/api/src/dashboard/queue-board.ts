import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express } from 'express';

/**
 * bull-board, the BullMQ queue browser, over the given queues at `basePath`. Read-only: a
 * job retried, promoted or removed here would bypass the gateway (its job record, the
 * ledger, a caller waiting on the reply bus, a batch's line counts), and webhook deliveries
 * have their own retry route that bumps the delivery's generation. Pausing a provider's
 * queue is left to the workers' own controls for the same reason.
 */
type BoardQueue = ConstructorParameters<typeof BullMQAdapter>[0];

export function createQueueBoard(options: { basePath: string; queues: readonly BoardQueue[] }): Express {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(options.basePath);
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: true, allowRetries: false })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Switchyard queues', miscLinks: [{ text: 'Dashboard', url: '/dashboard' }] } },
  });
  const board = serverAdapter.getRouter() as Express;
  board.disable('x-powered-by');
  return board;
}
