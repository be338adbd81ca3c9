import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** One job as the operators' dashboard lists it, across every org. */
export type RecentJob = {
  id: string;
  org_id: string;
  org_name: string;
  endpoint: string;
  model: string;
  served_provider: string | null;
  mode: string;
  status: string;
  attempts: number;
  batch_id: string | null;
  created_at: Date;
  completed_at: Date | null;
  queue_ms: number | null;
  duration_ms: number | null;
  /** `{code, message}` of a job that did not complete; null otherwise. */
  error: { code: string; message: string } | null;
};

/**
 * The newest jobs of every org, newest first. Each org's are read through its
 * (org_id, created_at desc) index and only the newest `limit` of all are kept, so the cost
 * grows with the number of orgs, not with the size of the jobs table.
 */
export async function recentJobs(db: Kysely<Database>, options: { limit: number; status?: string; since?: Date }): Promise<RecentJob[]> {
  const rows = await db
    .selectFrom('orgs')
    .innerJoinLateral(
      (eb) => {
        let perOrg = eb
          .selectFrom('jobs')
          .select([
            'jobs.id',
            'jobs.endpoint',
            'jobs.model',
            'jobs.served_provider',
            'jobs.mode',
            'jobs.status',
            'jobs.attempts',
            'jobs.batch_id',
            'jobs.created_at',
            'jobs.completed_at',
            'jobs.queue_ms',
            'jobs.duration_ms',
            sql<string | null>`jobs.error->>'code'`.as('error_code'),
            sql<string | null>`jobs.error->>'message'`.as('error_message'),
          ])
          .whereRef('jobs.org_id', '=', 'orgs.id');
        if (options.status) perOrg = perOrg.where('jobs.status', '=', options.status);
        if (options.since) perOrg = perOrg.where('jobs.created_at', '>=', options.since);
        return perOrg.orderBy('jobs.created_at', 'desc').limit(options.limit).as('job');
      },
      (join) => join.onTrue(),
    )
    .select(['orgs.id as org_id', 'orgs.name as org_name'])
    .selectAll('job')
    .orderBy('job.created_at', 'desc')
    .orderBy('job.id')
    .limit(options.limit)
    .execute();
  return rows.map(({ error_code, error_message, ...job }) => ({
    ...job,
    error: error_code === null && error_message === null ? null : { code: error_code ?? 'unknown', message: error_message ?? '' },
  }));
}
