import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../test-engines.ts';
import { createAlertRule, deleteAlertRule, ensureBuiltinAlertRules, listAlertRules, rotateAlertRuleSecret, updateAlertRule } from './alert-rules.ts';
import {
  acknowledgeAlert,
  activeAlertCounts,
  alertPairKey,
  alertSigningSecret,
  firingAlerts,
  lastAlertNotifications,
  listAlerts,
  openAlert,
  operatorWebhookScope,
  refreshAlert,
  resolveAlert,
} from './alerts.ts';

const encryptionKey = 'alerts-test-encryption-key';
const rule = {
  name: 'errors',
  metric: 'provider_error_ratio',
  condition: '>' as const,
  threshold: '0.5',
  severity: 'warning' as const,
  cooldownMinutes: 15,
  channels: [{ type: 'log' as const }, { type: 'webhook' as const, url: 'https://hooks.example/alerts' }],
};
const builtin = { ...rule, id: 'rule_builtin_test', name: 'builtin-test', severity: 'critical' as const, channels: [{ type: 'log' as const }] };

describe.each(engines)('alert rules and alerts on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;
  let ruleId: string;
  let secret: string;
  beforeAll(async () => {
    handle = await engine.open();
    const created = await createAlertRule(handle.db, rule, encryptionKey);
    ruleId = created!.rule.id;
    secret = created!.secret;
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  it('keeps rule names unique and creates the built-in rules once, leaving changed ones alone', async () => {
    expect(await createAlertRule(handle.db, rule, encryptionKey)).toBeUndefined();
    expect(await ensureBuiltinAlertRules(handle.db, [builtin], encryptionKey)).toBe(1);
    expect(await updateAlertRule(handle.db, builtin.id, { threshold: '0.9', enabled: false })).toMatchObject({
      threshold: '0.9',
      enabled: false,
      builtin: true,
    });
    expect(await ensureBuiltinAlertRules(handle.db, [builtin], encryptionKey)).toBe(0);
    expect((await listAlertRules(handle.db)).find((found) => found.id === builtin.id)).toMatchObject({ threshold: '0.9', enabled: false });
    expect(await updateAlertRule(handle.db, builtin.id, { name: 'errors' })).toBe('name_taken');
    expect(await deleteAlertRule(handle.db, builtin.id)).toBe('builtin');
  });

  it('raises one firing alert per (rule, subject) and writes its notification to the outbox under the operator scope', async () => {
    const firedAt = new Date();
    const notification = (eventKey: string) => ({ type: 'alert.fired' as const, eventKey, data: { id: 'alert_one' }, urls: ['https://hooks.example/alerts'] });
    expect(await openAlert(handle.db, { id: 'alert_one', ruleId, subject: 'openai', value: 0.75, firedAt }, notification('alert_one#1'))).toBe(true);
    expect(await openAlert(handle.db, { id: 'alert_two', ruleId, subject: 'openai', value: 0.8, firedAt }, notification('alert_two#1'))).toBe(false);
    const deliveries = await handle.db.selectFrom('webhook_deliveries').selectAll().where('subject_id', 'in', ['alert_one', 'alert_two']).execute();
    expect(deliveries.map((row) => [row.subject_id, row.org_id, row.endpoint_id, row.url, row.event_type, row.status])).toEqual([
      ['alert_one', operatorWebhookScope, null, 'https://hooks.example/alerts', 'alert.fired', 'pending'],
    ]);
    expect(deliveries[0]!.payload).toMatchObject({ type: 'alert.fired', data: { id: 'alert_one' } });
    expect(await alertSigningSecret(handle.db, 'alert_one', encryptionKey)).toBe(secret);
    const stored = await handle.db.selectFrom('alert_rules').select('webhook_secret').where('id', '=', ruleId).executeTakeFirstOrThrow();
    expect(stored.webhook_secret).not.toContain(secret.slice(6));

    await expect(lastAlertNotifications(handle.db, new Date(firedAt.getTime() - 1000))).resolves.toEqual(new Map([[alertPairKey(ruleId, 'openai'), firedAt]]));
    expect(await activeAlertCounts(handle.db)).toEqual({ total: 1, critical: 0, warning: 1, info: 0 });
  });

  it('counts repeat notifications, resolves once, and keeps the first acknowledgment', async () => {
    const later = new Date(Date.now() + 60_000);
    await refreshAlert(
      handle.db,
      { id: 'alert_one', value: 0.9, at: later },
      { type: 'alert.fired', eventKey: 'alert_one#2', data: {}, urls: ['https://hooks.example/alerts'] },
    );
    expect((await firingAlerts(handle.db)).map((alert) => [alert.value, alert.notifications, alert.lastNotifiedAt?.getTime()])).toEqual([
      [0.9, 2, later.getTime()],
    ]);
    expect(await acknowledgeAlert(handle.db, 'alert_one', 'oncall', later)).toMatchObject({ acknowledgedBy: 'oncall' });
    expect(await acknowledgeAlert(handle.db, 'alert_one', 'someone-else', new Date())).toMatchObject({ acknowledgedBy: 'oncall' });
    expect(
      await resolveAlert(
        handle.db,
        { id: 'alert_one', at: later },
        { type: 'alert.resolved', eventKey: 'alert_one', data: {}, urls: ['https://hooks.example/alerts'] },
      ),
    ).toBe(true);
    expect(await resolveAlert(handle.db, { id: 'alert_one', at: later }, undefined)).toBe(false);
    const events = await handle.db.selectFrom('webhook_deliveries').select('event_type').where('subject_id', '=', 'alert_one').orderBy('created_at').execute();
    expect(events.map((row) => row.event_type).sort()).toEqual(['alert.fired', 'alert.fired', 'alert.resolved']);
    expect((await listAlerts(handle.db, { status: 'resolved', limit: 10 })).data).toMatchObject([
      { id: 'alert_one', status: 'resolved', ruleName: 'errors', severity: 'warning' },
    ]);
    expect((await listAlerts(handle.db, { status: 'active', limit: 10 })).data).toEqual([]);
    // Resolved: the pair may fire again.
    expect(await openAlert(handle.db, { id: 'alert_three', ruleId, subject: 'openai', value: 1, firedAt: later }, undefined)).toBe(true);
  });

  it('signs with the new secret after a rotation, and deleting a rule takes its alerts and their secret', async () => {
    const rotated = await rotateAlertRuleSecret(handle.db, ruleId, encryptionKey);
    expect(rotated!.secret).not.toBe(secret);
    expect(await alertSigningSecret(handle.db, 'alert_three', encryptionKey)).toBe(rotated!.secret);
    expect(await deleteAlertRule(handle.db, ruleId)).toBe('deleted');
    expect(await alertSigningSecret(handle.db, 'alert_three', encryptionKey)).toBeUndefined();
    expect(await listAlerts(handle.db, { status: 'all', limit: 10 })).toEqual({ data: [], hasMore: false });
  });
});
