import { eventually } from '@switchyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, type ApiAnswer } from '../support/call-api.ts';
import { adminKey } from '../support/gateway.ts';
import { useGateway } from '../support/use-gateway.ts';
import { startWebhookReceiver, verifiesWith, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver.ts';

// Alerts end to end: a failing mock upstream opens a deployment's breaker, the evaluator
// (fast interval) raises the built-in and a created rule's alert, the created rule's
// webhook channel delivers through the webhooks service to a loopback receiver, signed
// with the secret the rule's creation returned; the breaker closing resolves it.
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const breaker = { failureThreshold: 2, windowMs: 60_000, openMs: 1500 };
const gateway = useGateway({
  upstreams: { flaky: { kind: 'openai' } },
  webhooks: true,
  alerts: true,
  overrides: (upstreams) => ({
    encryptionKey: 'alerts-e2e-encryption-key',
    alerts: { evaluateIntervalMs: 150, leaderLeaseMs: 3000 },
    webhooks: { allow: [receiver.hostPort], retryScheduleSeconds: [1, 1] },
    providers: { flaky: { kind: 'openai-compatible', apiKey: 'sk-flaky', baseUrl: upstreams.flaky.url, attempts: 1, breaker } },
    models: { 'flaky-model': { provider: 'flaky' } },
  }),
});

const admin = (method: string, path: string, body?: unknown): Promise<ApiAnswer> => callApi(gateway, method, path, body, adminKey);
const chat = () => gateway.openai.chat.completions.create({ model: 'flaky-model', messages: [{ role: 'user', content: 'hello' }] });

const evaluations = async (): Promise<number> => {
  const metric = await gateway.alerts!.metrics!.evaluations.get();
  return metric.values.reduce((sum, sample) => sum + sample.value, 0);
};
/** Returns once the evaluator has run `count` more passes (whatever they took). */
async function passes(count: number): Promise<void> {
  const start = await evaluations();
  await eventually(`${count} more alert evaluations`, async () => (await evaluations()) >= start + count);
}

const notificationsOf = (ruleId: string, type: string): ReceivedWebhook[] =>
  receiver.received.filter((request) => {
    const body = JSON.parse(request.body) as { type: string; data: { rule_id: string } };
    return body.type === type && body.data.rule_id === ruleId;
  });

describe('alerts on an open breaker', () => {
  let rule: { id: string; webhook_secret: string };
  let alertId: string;

  it('creates a rule with a webhook channel and returns its signing secret once', async () => {
    const created = await admin('POST', '/v1/rules', {
      name: 'flaky-breaker',
      metric: 'breaker_open',
      condition: 'gte',
      threshold: 1,
      severity: 'critical',
      cooldown_minutes: 60,
      channels: ['log', { type: 'webhook', url: `${receiver.url}/alerts` }],
      provider: 'flaky',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'alert_rule', condition: '>=', threshold: 1, provider: 'flaky', builtin: false, enabled: true });
    expect(created.body.webhook_secret).toMatch(/^whsec_/);
    rule = created.body as typeof rule;
    const read = await admin('GET', `/v1/rules/${rule.id}`);
    expect(read.status).toBe(200);
    expect(read.body.webhook_secret).toBeUndefined();
  });

  it('raises an active alert when the breaker opens, and delivers one signed alert.fired', async () => {
    gateway.upstreams.flaky.behave('flaky-model', { status: 500 });
    for (let index = 0; index < breaker.failureThreshold; index++) await expect(chat()).rejects.toMatchObject({ status: 502 });

    const active = await eventually('the created rule and the built-in breaker rule firing', async () => {
      const answer = await admin('GET', '/v1/alerts?status=active');
      const ours = answer.body.data.filter((alert: { subject: string }) => alert.subject === 'flaky/flaky-model');
      return ours.length === 2 && ours;
    });
    const created = active.find((alert: { rule_id: string }) => alert.rule_id === rule.id);
    expect(created).toMatchObject({ object: 'alert', status: 'firing', metric: 'breaker_open', severity: 'critical', value: 1, resolved_at: null });
    expect(active.find((alert: { rule_id: string }) => alert.rule_id !== rule.id)).toMatchObject({ rule_name: 'breaker-open', status: 'firing' });
    alertId = created.id;

    const [delivery] = await eventually(
      'the alert.fired delivery',
      () => notificationsOf(rule.id, 'alert.fired').length > 0 && notificationsOf(rule.id, 'alert.fired'),
    );
    expect(verifiesWith(rule.webhook_secret, delivery!)).toBe(true);
    expect(verifiesWith('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', delivery!)).toBe(false);
    expect(JSON.parse(delivery!.body)).toMatchObject({
      type: 'alert.fired',
      data: { id: alertId, subject: 'flaky/flaky-model', status: 'firing', rule_name: 'flaky-breaker' },
    });
  });

  it('notifies no more while the alert keeps firing inside its cooldown', async () => {
    await passes(5);
    expect(notificationsOf(rule.id, 'alert.fired')).toHaveLength(1);
    const active = await admin('GET', '/v1/alerts');
    expect(active.body.data.filter((alert: { rule_id: string }) => alert.rule_id === rule.id)).toHaveLength(1);
  });

  it('shows the firing alerts in the /v1/health summary', async () => {
    const health = await callApi(gateway, 'GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(health.body.active_alerts).toMatchObject({ critical: 2, warning: 0, info: 0, total: 2 });
    // flaky's only deployment is open, so it is down; mock is up.
    expect(health.body.provider_counts).toMatchObject({ healthy: 1, unhealthy: 1, degraded: 0 });
    const counts = health.body.provider_counts;
    expect(counts.total).toBe(counts.healthy + counts.degraded + counts.unhealthy + counts.disabled);
    // One healthy provider of two enabled, and two critical alerts take every alert point.
    expect(health.body.health_score).toBe(35);
    expect(health.body.memory.rss_bytes).toBeGreaterThan(0);
    expect(health.body.memory.heap_used_bytes).toBeGreaterThan(0);
    expect(health.body.providers.flaky.models['flaky-model'].breaker).toBe('open');
  });

  it('acknowledges an alert, keeping the first acknowledgment', async () => {
    const acknowledged = await admin('POST', `/v1/alerts/${alertId}/acknowledge`, { by: 'oncall' });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({ id: alertId, acknowledged_by: 'oncall', status: 'firing' });
    expect(acknowledged.body.acknowledged_at).toEqual(expect.any(Number));
    expect((await admin('POST', `/v1/alerts/${alertId}/acknowledge`, { by: 'someone' })).body.acknowledged_by).toBe('oncall');
    expect((await admin('POST', '/v1/alerts/alert_doesnotexist/acknowledge')).status).toBe(404);
    expect((await admin('POST', `/v1/alerts/${alertId}/acknowledge`, { by: 7 })).status).toBe(400);
  });

  it('resolves the alert once the breaker closes, and delivers a signed alert.resolved', async () => {
    gateway.upstreams.flaky.behave('flaky-model', {});
    // After the cool-down a probe goes through and closes the breaker; each try is a real request.
    await eventually(
      'a request served by the recovered upstream',
      () =>
        chat().then(
          () => true,
          () => false,
        ),
      { intervalMs: 100 },
    );
    const [resolved] = await eventually(
      'the alert.resolved delivery',
      () => notificationsOf(rule.id, 'alert.resolved').length > 0 && notificationsOf(rule.id, 'alert.resolved'),
    );
    expect(verifiesWith(rule.webhook_secret, resolved!)).toBe(true);
    expect(JSON.parse(resolved!.body)).toMatchObject({ type: 'alert.resolved', data: { id: alertId, status: 'resolved' } });
    const listed = await admin('GET', '/v1/alerts?status=resolved');
    expect(listed.body.data.find((alert: { id: string }) => alert.id === alertId)).toMatchObject({ status: 'resolved', resolved_at: expect.any(Number) });
    expect((await admin('GET', '/v1/alerts')).body.data.filter((alert: { subject: string }) => alert.subject === 'flaky/flaky-model')).toEqual([]);
  });
});

describe('rules API', () => {
  const valid = { name: 'queue-deep', metric: 'queue_waiting', condition: '>', threshold: 100, severity: 'warning', cooldown_minutes: 5, channels: ['log'] };

  it('wants the admin key, not an org key', async () => {
    expect((await callApi(gateway, 'GET', '/v1/rules')).status).toBe(403);
    expect((await fetch(`${gateway.url}/v1/alerts`)).status).toBe(401);
    expect((await admin('GET', '/v1/rules/nonsense')).status).toBe(404);
    const unknownRoute = await admin('GET', '/v1/rules/rule_x/history');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.error.type).toBe('not_found_error');
  });

  it.each([
    [{ metric: 'cpu' }, 'metric'],
    [{ condition: 'between' }, 'condition'],
    [{ threshold: 'lots' }, 'threshold'],
    [{ threshold: 1e-10 }, 'threshold'],
    [{ severity: 'loud' }, 'severity'],
    [{ cooldown_minutes: -1 }, 'cooldown_minutes'],
    [{ channels: [] }, 'channels'],
    [{ channels: [{ type: 'email', to: 'ops@example.com' }] }, 'channels.0.type'],
    [{ channels: ['log', { type: 'webhook', url: 'http://10.0.0.1/hook' }] }, 'channels.1.url'],
    [{ channels: [{ type: 'webhook', url: 'ftp://hooks.example/x' }] }, 'channels.0.url'],
    [{ provider: 'nobody' }, 'provider'],
    [{ metric: 'ledger_lag', provider: 'flaky' }, 'provider'],
    [{ colour: 'red' }, 'colour'],
  ])('refuses %j with a 400 on %s', async (change, param) => {
    const answer = await admin('POST', '/v1/rules', { ...valid, ...change });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(answer.body.error.message).toContain(param);
    if (param === 'channels.0.type') expect(answer.body.error.message).toContain('"webhook"');
  });

  it('lists the built-in rules, changes and disables one, and refuses to delete it', async () => {
    const listed = await admin('GET', '/v1/rules');
    const builtins = listed.body.data.filter((rule: { builtin: boolean }) => rule.builtin);
    expect(builtins.map((rule: { name: string }) => rule.name).sort()).toEqual(
      ['breaker-open', 'budget-80-percent', 'budget-exhausted', 'ledger-lag', 'provider-error-ratio', 'queue-wait'].sort(),
    );
    const queueWait = builtins.find((rule: { name: string }) => rule.name === 'queue-wait');
    const changed = await admin('PATCH', `/v1/rules/${queueWait.id}`, { threshold: 120, enabled: false, condition: 'gt' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ threshold: 120, enabled: false, condition: '>', builtin: true });
    const deleted = await admin('DELETE', `/v1/rules/${queueWait.id}`);
    expect(deleted.status).toBe(400);
    expect(deleted.body.error.message).toContain('"enabled": false');
  });

  it('creates, updates and deletes a rule of its own, with names unique', async () => {
    const created = await admin('POST', '/v1/rules', valid);
    expect(created.status).toBe(201);
    expect((await admin('POST', '/v1/rules', valid)).body.error).toMatchObject({ param: 'name' });
    expect((await admin('PATCH', `/v1/rules/${created.body.id}`, { name: 'flaky-breaker' })).body.error).toMatchObject({ param: 'name' });
    expect((await admin('PATCH', `/v1/rules/${created.body.id}`, { metric: 'ledger_lag', provider: 'flaky' })).status).toBe(400);
    const patched = await admin('PATCH', `/v1/rules/${created.body.id}`, {
      severity: 'info',
      provider: 'flaky',
      channels: [{ type: 'log' }],
      threshold: 0.0000001,
    });
    expect(patched.body).toMatchObject({ severity: 'info', provider: 'flaky', channels: [{ type: 'log' }], threshold: 0.0000001 });
    const rotated = await admin('POST', `/v1/rules/${created.body.id}/rotate-secret`);
    expect(rotated.body.webhook_secret).toMatch(/^whsec_/);
    expect(rotated.body.webhook_secret).not.toBe(created.body.webhook_secret);
    expect((await admin('DELETE', `/v1/rules/${created.body.id}`)).body).toEqual({ id: created.body.id, object: 'alert_rule', deleted: true });
    expect((await admin('GET', `/v1/rules/${created.body.id}`)).status).toBe(404);
  });

  it('refuses an unknown alert status filter', async () => {
    const answer = await admin('GET', '/v1/alerts?status=bogus');
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe('status');
  });
});
