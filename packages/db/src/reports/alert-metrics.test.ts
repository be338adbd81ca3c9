import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../test-engines.ts';
import { createOrg } from '../repositories/orgs.ts';
import { budgetUsageByOrg, finishedJobsByProvider } from './alert-metrics.ts';

const now = new Date('2026-12-15T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

describe.each(engines)('alert metrics on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;
  beforeAll(async () => {
    handle = await engine.open();
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  it('counts finished and failed jobs per serving provider in the window only', async () => {
    const job = (id: string, provider: string | null, status: string, completedAt: Date | null) => ({
      id,
      org_id: 'org_x',
      key_id: 'key_x',
      endpoint: '/v1/chat/completions',
      model: 'm',
      served_provider: provider,
      mode: 'sync',
      status,
      created_at: minutesAgo(30),
      completed_at: completedAt,
      attempts: 1,
      ...{ served_model: null, output: null, error: null, metadata: null, usage: null, cost_usd: null, batch_id: null, custom_id: null },
      ...{ started_at: null, queue_ms: null, duration_ms: null },
    });
    await handle.db
      .insertInto('jobs')
      .values([
        job('req_1', 'openai', 'completed', minutesAgo(1)),
        job('req_2', 'openai', 'failed', minutesAgo(2)),
        job('req_3', 'openai', 'failed', minutesAgo(3)),
        job('req_4', 'openai', 'failed', minutesAgo(20)),
        job('req_5', 'openai', 'cancelled', minutesAgo(1)),
        job('req_6', 'anthropic', 'completed', minutesAgo(1)),
        job('req_7', null, 'failed', minutesAgo(1)),
        job('req_8', 'anthropic', 'in_progress', null),
      ])
      .execute();
    const rows = await finishedJobsByProvider(handle.db, minutesAgo(5));
    expect(rows.sort((left, right) => left.provider.localeCompare(right.provider))).toEqual([
      { provider: 'anthropic', finished: 1, failed: 0 },
      { provider: 'openai', finished: 3, failed: 2 },
    ]);
  });

  it("gives each org with a budget its budget and this month's spend", async () => {
    const budgeted = await createOrg(handle.db, { name: 'budgeted', monthlyBudgetUsd: '10' });
    await createOrg(handle.db, { name: 'unlimited' });
    const day = (date: string, cost: string) => ({
      org_id: budgeted.id,
      key_id: 'key_x',
      model: 'm',
      day: date,
      attempts: 1,
      input_tokens: 1,
      output_tokens: 1,
      cached_input_tokens: 0,
      cost_usd: cost,
      duration_ms_total: 1,
    });
    await handle.db
      .insertInto('usage_daily')
      .values([day('2026-12-01', '2.5'), day('2026-12-14', '5.5'), day('2026-11-30', '100')])
      .execute();
    const usage = await budgetUsageByOrg(handle.db, now);
    expect(usage.map((row) => ({ ...row, spendUsd: Number(row.spendUsd) }))).toEqual([
      { orgId: budgeted.id, budgetUsd: expect.stringMatching(/^10(\.0*)?$/), spendUsd: 8 },
    ]);
  });
});
