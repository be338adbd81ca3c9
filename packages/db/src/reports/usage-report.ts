import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.ts';

export type UsageGroupBy = 'model' | 'day' | 'key';

export type UsageTotals = {
  /**
   * Client requests, each counted once, in the group of the attempt that served it (the
   * last attempt when none did), so every grouping's counts add up to `total_requests`.
   */
  request_count: number;
  /** Provider attempts, failed fallbacks included. */
  attempt_count: number;
  total_input_tokens: number;
  total_output_tokens: number;
  /** Rounded to 6 decimals for JSON; `total_cost_exact` is the exact decimal string. */
  total_cost: number;
  total_cost_exact: string;
  avg_duration_ms: number;
  /** Requests answered by the response cache (counted in `request_count`, with no tokens or cost). */
  cache_hits: number;
};

export type UsageReport = {
  from_date: string;
  to_date: string;
  total_requests: number;
  total_attempts: number;
  total_input_tokens: number;
  total_output_tokens: number;
  total_cost: number;
  total_cost_exact: string;
  total_cache_hits: number;
  by_model: Array<{ model: string } & UsageTotals>;
  by_day?: Array<{ date: string } & UsageTotals>;
  by_key?: Array<{ key_id: string } & UsageTotals>;
};

type Dimension = { daily: RawBuilder<string>; events: RawBuilder<string> };

// Sums come from the usage_daily rollup; client requests (one per request id, however
// many attempts it took) can only be counted from usage_events, where each request is
// represented by its deciding attempt. Both use the UTC day of the event, so the two
// always cover the same events.
const dimensions: Record<UsageGroupBy | 'all', Dimension> = {
  all: { daily: sql<string>`''`, events: sql<string>`''` },
  model: { daily: sql<string>`model`, events: sql<string>`model` },
  day: { daily: sql<string>`day::text`, events: sql<string>`(created_at at time zone 'UTC')::date::text` },
  key: { daily: sql<string>`key_id`, events: sql<string>`key_id` },
};

/**
 * Usage of one org between two UTC days, both included. Tokens and cost include every
 * attempt that consumed any; `by_model` is keyed by the model that served and its costs
 * add up to the total.
 */
export async function usageReport(
  db: Kysely<Database>,
  orgId: string,
  options: { fromDate: string; toDate: string; groupBy?: UsageGroupBy },
): Promise<UsageReport> {
  const { fromDate, toDate } = options;
  if (!isDay(fromDate) || !isDay(toDate)) throw new RangeError('from_date and to_date must be dates as YYYY-MM-DD');
  if (fromDate > toDate) throw new RangeError('from_date must not be after to_date');

  // One snapshot for every query: the ledger commits while we read, and totals, per-model
  // rows and request counts must describe the same set of events.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((transaction) => buildReport(transaction, { orgId, fromDate, toDate }, options.groupBy));
}

async function buildReport(
  db: Kysely<Database>,
  range: { orgId: string; fromDate: string; toDate: string },
  groupBy: UsageGroupBy | undefined,
): Promise<UsageReport> {
  const { fromDate, toDate } = range;
  const totals = await grouped(db, range, 'all');
  const byModel = await grouped(db, range, 'model');
  const total = totals[0] ?? { group: '', ...emptyTotals };
  const report: UsageReport = {
    from_date: fromDate,
    to_date: toDate,
    total_requests: total.request_count,
    total_attempts: total.attempt_count,
    total_input_tokens: total.total_input_tokens,
    total_output_tokens: total.total_output_tokens,
    total_cost: total.total_cost,
    total_cost_exact: total.total_cost_exact,
    total_cache_hits: total.cache_hits,
    by_model: byModel.map(({ group, ...rest }) => ({ model: group, ...rest })),
  };
  if (groupBy === 'day') report.by_day = (await grouped(db, range, 'day')).map(({ group, ...rest }) => ({ date: group, ...rest }));
  if (groupBy === 'key') report.by_key = (await grouped(db, range, 'key')).map(({ group, ...rest }) => ({ key_id: group, ...rest }));
  return report;
}

const emptyTotals: UsageTotals = {
  request_count: 0,
  attempt_count: 0,
  total_input_tokens: 0,
  total_output_tokens: 0,
  total_cost: 0,
  total_cost_exact: '0',
  avg_duration_ms: 0,
  cache_hits: 0,
};

async function grouped(
  db: Kysely<Database>,
  range: { orgId: string; fromDate: string; toDate: string },
  by: UsageGroupBy | 'all',
): Promise<Array<{ group: string } & UsageTotals>> {
  const dimension = dimensions[by];
  const sums = await db
    .selectFrom('usage_daily')
    .select([
      dimension.daily.as('group'),
      sql<string>`sum(attempts)`.as('attempts'),
      sql<string>`sum(input_tokens)`.as('input_tokens'),
      sql<string>`sum(output_tokens)`.as('output_tokens'),
      sql<string>`trim_scale(sum(cost_usd))::text`.as('cost'),
      sql<string>`round(sum(cost_usd), 6)::text`.as('cost_rounded'),
      sql<string>`sum(duration_ms_total)`.as('duration_ms_total'),
      sql<string>`sum(cache_hits)`.as('cache_hits'),
    ])
    .where('org_id', '=', range.orgId)
    .where('day', '>=', range.fromDate)
    .where('day', '<=', range.toDate)
    .groupBy(sql`1`)
    .execute();
  const requests = await db
    .selectFrom(decidingAttempts(db, range).as('deciding'))
    .select([dimension.events.as('group'), sql<string>`count(*)`.as('requests')])
    .groupBy(sql`1`)
    .execute();
  const requestsByGroup = new Map(requests.map((row) => [row.group, Number(row.requests)]));
  const rows = sums.map((row) => ({
    group: row.group,
    request_count: requestsByGroup.get(row.group) ?? 0,
    attempt_count: Number(row.attempts),
    total_input_tokens: Number(row.input_tokens),
    total_output_tokens: Number(row.output_tokens),
    total_cost: Number(row.cost_rounded),
    total_cost_exact: row.cost,
    avg_duration_ms: Number(row.attempts) === 0 ? 0 : Math.round(Number(row.duration_ms_total) / Number(row.attempts)),
    cache_hits: Number(row.cache_hits),
  }));
  return rows.sort((a, b) => (by === 'model' ? b.total_cost - a.total_cost || compareText(a.group, b.group) : compareText(a.group, b.group)));
}

/**
 * One row per request id in the range: the attempt that served it, or its last attempt
 * when none did (a request that failed everywhere counts for the last model it tried).
 * A request whose attempts straddle the range is decided among the attempts inside it,
 * matching the rollup rows the range includes.
 */
function decidingAttempts(db: Kysely<Database>, range: { orgId: string; fromDate: string; toDate: string }) {
  return db
    .selectFrom('usage_events')
    .distinctOn('request_id')
    .select(['request_id', 'model', 'key_id', 'created_at'])
    .where('org_id', '=', range.orgId)
    .where('created_at', '>=', sql<Date>`${range.fromDate}::date::timestamp at time zone 'UTC'`)
    .where('created_at', '<', sql<Date>`(${range.toDate}::date + 1)::timestamp at time zone 'UTC'`)
    .orderBy('request_id')
    .orderBy(sql`status = 'completed'`, 'desc')
    .orderBy('attempt', 'desc');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}
