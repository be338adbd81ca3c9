import type { Database, Kysely } from '@switchyard/db';
import { Gauge, type Registry } from 'prom-client';
import { activeBatchStatuses } from '../batch-record.ts';
import { finalLineStatuses } from '../line-results.ts';

/** Every status a line can have, so each series exists (at zero) from the first scrape. */
const lineStatuses = ['pending', 'queued', ...finalLineStatuses] as const;

/** Lines of the batches still open, by line status, in one grouped query. */
async function countOpenBatchLines(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('batch_lines as line')
    .innerJoin('batches as batch', 'batch.id', 'line.batch_id')
    .where('batch.status', 'in', activeBatchStatuses)
    .select(['line.status', (expression) => expression.fn.countAll<string>().as('lines')])
    .groupBy('line.status')
    .execute();
  return new Map(rows.map((row) => [row.status, Number(row.lines)]));
}

/**
 * `switchyard_batch_lines{status}`: how far the open batches are, read from Postgres when
 * scraped. The answer is kept for `cacheMs`, so several scrapers (or a fast one) cost one
 * query per period. A failed read keeps the last values and the scrape still answers.
 */
export function registerBatchLineMetrics(registry: Registry, db: Kysely<Database>, options: { cacheMs?: number } = {}): void {
  const cacheMs = options.cacheMs ?? 5000;
  let cached: { at: number; counts: Promise<Map<string, number>> } | undefined;
  const counts = () => {
    if (!cached || Date.now() - cached.at >= cacheMs) cached = { at: Date.now(), counts: countOpenBatchLines(db) };
    return cached.counts;
  };
  new Gauge({
    name: 'switchyard_batch_lines',
    help: 'Lines of open batches (validating, in progress, finalizing, cancelling) by line status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const read = await counts().catch(() => undefined);
      if (!read) return;
      for (const status of new Set([...lineStatuses, ...read.keys()])) this.set({ status }, read.get(status) ?? 0);
    },
  });
}
