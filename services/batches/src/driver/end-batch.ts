import { recordWebhookEvents, type BatchesTable } from '@switchyard/db';
import { renderOpenAiBatch } from '@switchyard/formats';
import type { Updateable } from 'kysely';
import { toBatchRecord } from '../batch-record.ts';
import { nudgeWebhooks } from '../nudge.ts';
import type { BatchEngineDeps, BatchRecord, BatchStatus } from '../types.ts';

type TerminalStatus = Extract<BatchStatus, 'completed' | 'failed' | 'cancelled' | 'expired'>;

const timestampColumn = { completed: 'completed_at', failed: 'failed_at', cancelled: 'cancelled_at', expired: 'expired_at' } as const;

/**
 * Makes a batch terminal, once: the status moves only from one of `from`, and the
 * `batch.<status>` webhook event is recorded in the same transaction (so it exists exactly
 * when the batch ended). Returns the ended batch, or undefined when another step ended it.
 */
export async function endBatch(
  deps: BatchEngineDeps,
  batchId: string,
  from: readonly BatchStatus[],
  to: TerminalStatus,
  fields: Updateable<BatchesTable> = {},
): Promise<BatchRecord | undefined> {
  const ended = await deps.db.transaction().execute(async (transaction) => {
    const row = await transaction
      .updateTable('batches')
      .set({ ...fields, status: to, [timestampColumn[to]]: new Date() })
      .where('id', '=', batchId)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    const record = toBatchRecord(row);
    const deliveries = await recordWebhookEvents(transaction, [
      { orgId: record.orgId, type: `batch.${to}`, subjectId: record.id, data: renderOpenAiBatch(record), webhookUrl: record.metadata?.webhook_url ?? null },
    ]);
    return { record, deliveries };
  });
  if (!ended) return undefined;
  if (ended.deliveries > 0) await nudgeWebhooks(deps.redis, deps.config.redis.prefix, deps.logger);
  deps.logger.info({ batchId, status: to, counts: ended.record.counts }, 'batch ended');
  return ended.record;
}
