import type { Database, Kysely } from '@switchyard/db';
import { readLineResults } from './line-results.ts';
import type { BatchLineResult, BatchShell } from './types.ts';

/**
 * The org's batch results, every finished input line exactly once in line order (the
 * Anthropic results JSONL, or a shell's own rendering). Another org's batch yields nothing.
 */
export async function* readBatchResults(db: Kysely<Database>, orgId: string, id: string): AsyncIterable<BatchLineResult> {
  const batch = await db.selectFrom('batches').select(['id', 'shell']).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!batch) return;
  yield* readLineResults(db, batch.id, batch.shell as BatchShell);
}
