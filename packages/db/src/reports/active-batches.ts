import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Statuses of a batch still being worked on (the `batches_active` index covers exactly these). */
const activeStatuses = ['validating', 'in_progress', 'finalizing', 'cancelling'];

/** A batch in progress as the operators' dashboard shows it. */
export type ActiveBatch = {
  id: string;
  org_id: string;
  org_name: string;
  shell: string;
  endpoint: string;
  status: string;
  /** Lines in the input (0 until validation has read it all). */
  total: number;
  /** Input lines validation has read so far. */
  validated: number;
  completed: number;
  failed: number;
  cancelled: number;
  expired: number;
  /** Lines finished either way: completed + failed + cancelled + expired. */
  done: number;
  created_at: Date;
  expires_at: Date | null;
};

/** Batches still running, newest first. */
export async function activeBatches(db: Kysely<Database>, options: { limit: number }): Promise<ActiveBatch[]> {
  return db
    .selectFrom('batches')
    .innerJoin('orgs', 'orgs.id', 'batches.org_id')
    .select([
      'batches.id',
      'batches.org_id',
      'orgs.name as org_name',
      'batches.shell',
      'batches.endpoint',
      'batches.status',
      'batches.total',
      'batches.validated',
      'batches.completed',
      'batches.failed',
      'batches.cancelled',
      'batches.expired',
      sql<number>`batches.completed + batches.failed + batches.cancelled + batches.expired`.as('done'),
      'batches.created_at',
      'batches.expires_at',
    ])
    .where('batches.status', 'in', activeStatuses)
    .orderBy('batches.created_at', 'desc')
    .orderBy('batches.id')
    .limit(options.limit)
    .execute();
}
