// The operators' dashboard over HTTP: the admin key as HTTP Basic or Bearer, the overview the
// page polls (fed by real jobs, a failure, a webhook delivery and the ledger's spend), and
// bull-board under /dashboard/queues, read-only.
import { eventually } from '@switchyard/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../support/call-api.ts';
import { adminKey, startTestGateway } from '../support/gateway.ts';
import { useDashboardGateway } from '../support/dashboard-gateway.ts';

const dashboard = useDashboardGateway();
const gateway = dashboard.gateway;

const basic = (password: string, user = 'operator') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function get(path: string, authorization?: string, base = gateway.url) {
  const response = await fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, any> };
}

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hello dashboard' }] });

describe('dashboard access', () => {
  it('asks a browser for credentials: 401 with a Basic challenge, in the error envelope', async () => {
    for (const path of ['/dashboard', '/dashboard/overview.json', '/dashboard/queues', '/dashboard/no-such-page']) {
      const answer = await get(path);
      expect(answer.status, path).toBe(401);
      expect(answer.headers.get('www-authenticate'), path).toMatch(/^Basic realm="switchyard"/);
      expect(answer.json().error).toMatchObject({ type: 'authentication_error', message: 'missing admin key' });
    }
  });

  it('answers a wrong key with 401 and the challenge again, as Basic and as Bearer', async () => {
    for (const authorization of [basic('not-the-admin-key'), 'Bearer not-the-admin-key', basic(gateway.apiKey)]) {
      const answer = await get('/dashboard', authorization);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm="switchyard"/);
      expect(answer.json().error).toMatchObject({ type: 'authentication_error', message: 'not the admin key' });
    }
  });

  it('serves the page with the admin key as the Basic password (any user) or as a Bearer token', async () => {
    for (const authorization of [basic(adminKey), basic(adminKey, ''), `Bearer ${adminKey}`]) {
      const answer = await get('/dashboard', authorization);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(answer.headers.get('www-authenticate')).toBeNull();
      expect(answer.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(answer.text).toContain('data-testid="providers"');
      expect(answer.text).toContain('<script src="/dashboard/dashboard.js"></script>');
    }
    expect((await get('/dashboard/', basic(adminKey))).text).toContain('data-testid="providers"');
    expect((await get('/dashboard/no-such-page', basic(adminKey))).json().error.type).toBe('not_found_error');
    const script = await get('/dashboard/dashboard.js', basic(adminKey));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.text).toContain('textContent');
    expect(script.text).not.toContain('innerHTML');
  });

  it('leaves the admin API as it was: a wrong key there is 403, without a challenge', async () => {
    const answer = await get('/v1/admin/orgs', 'Bearer not-the-admin-key');
    expect(answer.status).toBe(403);
    expect(answer.headers.get('www-authenticate')).toBeNull();
    expect((await get('/v1/admin/orgs', basic(adminKey))).status).toBe(401);
  });

  it('is off, and says which setting turns it on, when no admin key is configured', async () => {
    const keyless = await startTestGateway({ workers: false, ledger: false, overrides: { adminKey: undefined } });
    try {
      const answer = await get('/dashboard', basic('anything'), keyless.url);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('www-authenticate')).toBeNull();
      expect(answer.json().error).toMatchObject({ type: 'permission_error', message: 'dashboard disabled: set SWITCHYARD_ADMIN_KEY' });
      expect((await get('/dashboard/queues/', basic('anything'), keyless.url)).status).toBe(403);
    } finally {
      await keyless.stop();
    }
  });
});

describe('dashboard overview', () => {
  let completedId: string;
  let failedId: string;
  beforeAll(async () => {
    expect((await callApi(gateway, 'POST', '/v1/webhooks', { url: `${dashboard.receiver.url}/hook`, events: ['job.completed'] })).status).toBe(201);
    const completed = await callApi(gateway, 'POST', '/v1/jobs', { endpoint: '/v1/chat/completions', body: chat('mock-fast') });
    expect(completed.status).toBe(202);
    completedId = completed.body.id;
    const failed = await callApi(gateway, 'POST', '/v1/jobs', { endpoint: '/v1/chat/completions', body: chat('broken-model') });
    expect(failed.status).toBe(202);
    failedId = failed.body.id;
  });

  const overview = async () => {
    const answer = await get('/dashboard/overview.json', `Bearer ${adminKey}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    return answer.json();
  };

  it('reports providers with breakers and workers, and every queue with depth and rates', async () => {
    // The job above finishes within the minute the rate covers.
    const body = await eventually('a completion counted on the mock queue', async () => {
      const current = await overview();
      return (
        current.queues.some((queue: { name: string; completed_per_minute: number | null }) => queue.name === 'inference-mock' && queue.completed_per_minute) &&
        current
      );
    });
    expect(Number.isNaN(Date.parse(body.generated_at))).toBe(false);
    expect(body.providers.mock).toMatchObject({ status: 'up', breaker: 'closed', models: { 'mock-fast': { breaker: 'closed' } } });
    expect(body.providers.mock.workers).toBeGreaterThan(0);
    expect(body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual(['inference-broken', 'inference-mock', 'webhooks']);
    const mock = body.queues.find((queue: { name: string }) => queue.name === 'inference-mock');
    expect(mock).toEqual({
      name: 'inference-mock',
      provider: 'mock',
      waiting: expect.any(Number),
      active: expect.any(Number),
      delayed: expect.any(Number),
      failed: expect.any(Number),
      paused: false,
      workers: expect.any(Number),
      completed_per_minute: expect.any(Number),
      failed_per_minute: null,
    });
    expect(body.queues.find((queue: { name: string }) => queue.name === 'webhooks')).toMatchObject({ provider: null, workers: 1 });
  });

  it('lists recent jobs and failures across orgs, newest first, with the org named', async () => {
    const body = await eventually('both jobs recorded, the failure as failed', async () => {
      const current = await overview();
      const ids = current.recent_jobs.map((job: { id: string }) => job.id);
      return ids.includes(completedId) && current.recent_failures.some((job: { id: string }) => job.id === failedId) && current;
    });
    expect(body.recent_jobs.map((job: { id: string }) => job.id).slice(0, 2)).toEqual([failedId, completedId]);
    expect(body.recent_jobs.find((job: { id: string }) => job.id === completedId)).toMatchObject({
      org_id: gateway.orgId,
      org_name: 'org-a',
      endpoint: '/v1/chat/completions',
      model: 'mock-fast',
      served_provider: 'mock',
      status: 'completed',
      error: null,
    });
    expect(body.recent_failures).toEqual([
      expect.objectContaining({ id: failedId, status: 'failed', model: 'broken-model', error: expect.objectContaining({ code: 'upstream_error' }) }),
    ]);
  });

  it('lists webhook deliveries by host only, and the spend of each org this month', async () => {
    const body = await eventually('the delivery delivered and the spend counted', async () => {
      const current = await overview();
      const delivered = current.webhook_deliveries.recent.some(
        (delivery: { subject_id: string; status: string }) => delivery.subject_id === completedId && delivery.status === 'delivered',
      );
      return delivered && current.spend_this_month.orgs.length > 0 && current;
    });
    expect(body.webhook_deliveries.outbox_backlog).toBe(0);
    const delivery = body.webhook_deliveries.recent.find((entry: { subject_id: string }) => entry.subject_id === completedId);
    expect(delivery).toMatchObject({
      event_type: 'job.completed',
      host: dashboard.receiver.hostPort,
      attempts: 1,
      response_status: 200,
      org_id: gateway.orgId,
    });
    expect(JSON.stringify(body.webhook_deliveries)).not.toContain('/hook');
    expect(body.spend_this_month.month).toBe(new Date().toISOString().slice(0, 7));
    expect(body.spend_this_month.orgs[0]).toMatchObject({ org_id: gateway.orgId, org_name: 'org-a', attempts: expect.any(Number) });
    expect(Number(body.spend_this_month.orgs[0].cost_usd)).toBeGreaterThan(0);
    expect(body.spend_this_month.orgs[0].input_tokens).toBeGreaterThan(0);
  });
});

describe('the queue browser', () => {
  it('serves bull-board under /dashboard/queues behind the same key, over every queue, read-only', async () => {
    expect((await get('/dashboard/queues')).status).toBe(401);
    const page = await get('/dashboard/queues', basic(adminKey));
    expect(page.status).toBe(200);
    expect(page.text).toContain('<base href="/dashboard/queues/" />');
    expect(page.text).toContain('<title>Switchyard queues</title>');
    const listed = await get('/dashboard/queues/api/queues', `Bearer ${adminKey}`);
    expect(listed.status).toBe(200);
    const queues = listed.json().queues as Array<{ name: string; readOnlyMode: boolean }>;
    expect(queues.map((queue) => queue.name).sort()).toEqual(['inference-broken', 'inference-mock', 'webhooks']);
    expect(queues.every((queue) => queue.readOnlyMode)).toBe(true);

    const pause = await fetch(`${gateway.url}/dashboard/queues/api/queues/inference-mock/pause`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(pause.status).toBe(405);
    expect(await gateway.api.context.queues.get('mock').isPaused()).toBe(false);
  });
});
