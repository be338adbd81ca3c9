// Budgets and rate limits hold across api processes: two api instances share one Redis
// and one Postgres, and every limit trips at exactly its configured value.
import { describe, expect, it } from 'vitest';
import { compareUsd, costUsd, normalizeUsd } from '@switchyard/core';
import { createApiKey, createOrg, type OrgLimits } from '@switchyard/db';
import { monthToDateSpendKey, readMonthToDateSpend, utcMonth } from '@switchyard/queue';
import { eventually, expectedMockAnswer } from '@switchyard/testing';
import { useSecondApi } from '../support/second-api.ts';
import { useGateway } from '../support/use-gateway.ts';

const upstreamKey = 'sk-upstream-limits-0123456789';

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: upstreamKey } },
  overrides: ({ openai }) => ({ providers: { openai: { apiKey: upstreamKey, baseUrl: openai.url, attempts: 1 } } }),
});
const upstream = gateway.upstreams.openai;
const redis = gateway.redis;
/** The two api processes' base URLs. */
const apis = useSecondApi(gateway);

async function tenant(name: string, limits: OrgLimits, keys = 1) {
  const org = await createOrg(gateway.database.db, { name, ...limits });
  const created = [];
  for (let index = 0; index < keys; index++) created.push((await createApiKey(gateway.database.db, { orgId: org.id, name: `${name}-${index}` })).key);
  return { orgId: org.id, keys: created };
}

async function call(api: string, path: string, key: string, body?: unknown) {
  const init: RequestInit = { headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } };
  if (body !== undefined) Object.assign(init, { method: 'POST', body: JSON.stringify(body) });
  const response = await fetch(`${api}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o', messages: [{ role: 'user', content }], ...extra });
const resetFormat = /^(\d+ms|(\d+h)?(\d+m)?\d+(\.\d+)?s)$/;

describe('requests per minute, shared by two api processes', () => {
  it('admits exactly rpm_limit requests of the org across its keys and both apis, then answers 429 rate_limited', async () => {
    const org = await tenant('rpm', { rpmLimit: 4 }, 2);
    const [firstKey, secondKey] = org.keys as [string, string];
    const admitted = [
      await call(apis[0], '/v1/chat/completions', firstKey, chat('one')),
      await call(apis[1], '/v1/jobs', secondKey, { endpoint: '/v1/chat/completions', body: chat('two') }),
      await call(apis[1], '/v1/messages', firstKey, { model: 'gpt-4o', max_tokens: 50, messages: [{ role: 'user', content: 'three' }] }),
      await call(apis[0], '/v1/chat/completions', secondKey, chat('four')),
    ];
    expect(admitted.map((response) => response.status)).toEqual([200, 202, 200, 200]);
    expect(admitted.map((response) => response.headers.get('x-ratelimit-limit-requests'))).toEqual(['4', '4', '4', '4']);
    expect(admitted.map((response) => response.headers.get('x-ratelimit-remaining-requests'))).toEqual(['3', '2', '1', '0']);
    for (const response of admitted) expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(resetFormat);
    expect(admitted[0]!.headers.get('x-ratelimit-limit-tokens')).toBeNull();

    const refused = await call(apis[1], '/v1/chat/completions', secondKey, chat('five'));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
    expect(refused.body.error.message).toContain('limit 4');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Number(refused.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('4');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset-requests')).toMatch(resetFormat);
    // Refused before anything was queued.
    expect((await call(apis[0], `/v1/jobs/${refused.headers.get('x-request-id')}`, secondKey)).status).toBe(404);

    const anthropic = await call(apis[0], '/v1/messages', firstKey, { model: 'gpt-4o', max_tokens: 50, messages: [{ role: 'user', content: 'six' }] });
    expect(anthropic.status).toBe(429);
    expect(anthropic.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(anthropic.headers.get('retry-after')).not.toBeNull();

    const seed = await call(apis[1], '/api/ai/chat/completions', firstKey, chat('seven'));
    expect(seed.status).toBe(429);

    // Reading is not rate limited.
    const models = await call(apis[0], '/v1/models', firstKey);
    expect(models.status).toBe(200);
    expect(models.headers.get('x-ratelimit-limit-requests')).toBeNull();
    expect((await call(apis[1], '/v1/usage', secondKey)).status).toBe(200);
  });

  it('leaves an org without limits alone and keeps orgs apart', async () => {
    const busy = await tenant('busy', { rpmLimit: 1 });
    const free = await tenant('free', {});
    expect((await call(apis[0], '/v1/chat/completions', busy.keys[0]!, chat('first'))).status).toBe(200);
    expect((await call(apis[1], '/v1/chat/completions', busy.keys[0]!, chat('second'))).status).toBe(429);
    for (const api of apis) {
      const response = await call(api, '/v1/chat/completions', free.keys[0]!, chat('unlimited'));
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    }
  });
});

describe('tokens per minute, shared by two api processes', () => {
  // Charged at admission: characters / 4 of the body's text, rounded up, plus max_tokens.
  // 'gpt-4o' + 'user' + 'abcdef' = 16 characters -> 4, plus max_tokens 40.
  const job = { endpoint: '/v1/chat/completions', body: chat('abcdef', { max_tokens: 40 }) };
  const estimate = 44;

  it('charges each request its estimate and refuses the one that would pass tpm_limit', async () => {
    const limit = 3 * estimate - 1;
    const org = await tenant('tpm', { tpmLimit: limit });
    const key = org.keys[0]!;
    const first = await call(apis[0], '/v1/jobs', key, job);
    const secondAdmitted = await call(apis[1], '/v1/jobs', key, job);
    expect([first.status, secondAdmitted.status]).toEqual([202, 202]);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe(String(limit));
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe(String(limit - estimate));
    expect(secondAdmitted.headers.get('x-ratelimit-remaining-tokens')).toBe(String(limit - 2 * estimate));
    expect(first.headers.get('x-ratelimit-reset-tokens')).toMatch(resetFormat);

    const refused = await call(apis[0], '/v1/jobs', key, job);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
    expect(refused.body.error.message).toContain('tokens per minute');
    expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe(String(estimate - 1));
    expect(refused.headers.get('retry-after-ms')).not.toBeNull();

    // What is left still serves a request that fits in it: 4 + 39 = 43 tokens.
    const fits = await call(apis[1], '/v1/jobs', key, { endpoint: '/v1/chat/completions', body: chat('abcdef', { max_tokens: 39 }) });
    expect(fits.status).toBe(202);
    expect(fits.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
  });
});

describe('monthly budget, checked by two api processes', () => {
  it('admits until the spend reaches the budget exactly, then refuses with 429 budget_exceeded on every api', async () => {
    const content = 'What does this cost?';
    const answer = expectedMockAnswer([content], content);
    const budget = costUsd({ inputTokens: answer.inputTokens, outputTokens: answer.outputTokens }, gateway.config.models['gpt-4o']!.pricing);
    const org = await tenant('budget', { monthlyBudgetUsd: budget });
    const key = org.keys[0]!;

    expect((await call(apis[0], '/v1/chat/completions', key, chat(content))).status).toBe(200);
    // The first admission cached a spend of 0; the ledger raises it once it has the usage.
    const spend = await eventually('the ledger to raise the cached spend to the budget', async () => {
      const cached = (await readMonthToDateSpend(redis, gateway.prefix, org.orgId)) ?? '0';
      return compareUsd(cached, budget) >= 0 && cached;
    });
    expect(normalizeUsd(spend)).toBe(normalizeUsd(budget));

    const upstreamCalls = upstream.requests.length;
    for (const api of apis) {
      const refused = await call(api, '/v1/chat/completions', key, chat('one more'));
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({ type: 'rate_limit_error', code: 'budget_exceeded' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await call(api, `/v1/jobs/${refused.headers.get('x-request-id')}`, key)).status).toBe(404);
    }
    const job = await call(apis[1], '/v1/jobs', key, { endpoint: '/v1/chat/completions', body: chat('async too') });
    expect(job.body.error.code).toBe('budget_exceeded');
    expect(upstream.requests.length).toBe(upstreamCalls);

    // Without the cached figure the api asks Postgres, refuses all the same, and caches it again.
    await redis.del(monthToDateSpendKey(gateway.prefix, org.orgId, utcMonth(Date.now())));
    expect((await call(apis[1], '/v1/chat/completions', key, chat('and again'))).body.error.code).toBe('budget_exceeded');
    expect(normalizeUsd((await readMonthToDateSpend(redis, gateway.prefix, org.orgId))!)).toBe(normalizeUsd(budget));
  });
});
