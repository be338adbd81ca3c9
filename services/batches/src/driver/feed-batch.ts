import type { InferenceJobData } from '@switchyard/core';
import type { BatchRow } from '@switchyard/db';
import { inferenceJobName, inferenceJobOptions, type InferenceQueues } from '@switchyard/queue';
import { sql } from 'kysely';
import type { BatchEngineDeps } from '../types.ts';

/**
 * Tops the batch's window up: at most `batches.maxQueuedLines` of its lines on the provider
 * queues at once, added a chunk at a time with `addBulk` at batch priority, each under its
 * deterministic job id `<batch id>-<line index>`. Lines are marked `queued` only after the
 * add, so a crash in between re-adds them, which BullMQ ignores for a job id it holds.
 * Returns the lines added.
 */
export async function feedBatch(deps: BatchEngineDeps, queues: InferenceQueues, batch: BatchRow): Promise<number> {
  let fed = 0;
  for (;;) {
    const added = await feedChunk(deps, queues, batch);
    fed += added;
    if (added < deps.config.batches.chunkLines) return fed;
  }
}

async function feedChunk(deps: BatchEngineDeps, queues: InferenceQueues, batch: BatchRow): Promise<number> {
  const { maxQueuedLines, chunkLines } = deps.config.batches;
  const queued = await deps.db
    .selectFrom('batch_lines')
    .select(sql<string>`count(*)`.as('count'))
    .where('batch_id', '=', batch.id)
    .where('status', '=', 'queued')
    .executeTakeFirstOrThrow();
  const room = Math.min(chunkLines, maxQueuedLines - Number(queued.count));
  if (room <= 0) return 0;
  const lines = await deps.db
    .selectFrom('batch_lines')
    .select(['line_index', 'job', 'provider'])
    .where('batch_id', '=', batch.id)
    .where('status', '=', 'pending')
    .orderBy('line_index')
    .limit(room)
    .execute();
  if (lines.length === 0) return 0;
  const byProvider = new Map<string, InferenceJobData[]>();
  for (const line of lines) {
    const data = line.job as InferenceJobData;
    const provider = data.routes[0]!.provider;
    byProvider.set(provider, [...(byProvider.get(provider) ?? []), data]);
  }
  for (const [provider, jobs] of byProvider) {
    const attempts = deps.config.providers[provider]?.attempts ?? 1;
    await queues.get(provider).addBulk(
      jobs.map((data) => ({
        name: inferenceJobName,
        data,
        opts: inferenceJobOptions(data, { attempts, retentionSeconds: deps.config.jobs.retentionSeconds }),
      })),
    );
  }
  await deps.db
    .updateTable('batch_lines')
    .set({ status: 'queued', fed_at: new Date() })
    .where('batch_id', '=', batch.id)
    .where(
      'line_index',
      'in',
      lines.map((line) => line.line_index),
    )
    .where('status', '=', 'pending')
    .execute();
  return lines.length;
}
