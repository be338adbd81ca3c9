import { describe, expect, it } from 'vitest';
import type { Alert } from '@switchyard/db';
import { decideAlerts, type DecideAlertsInput, type RuleToDecide } from './decide-alerts.ts';

const now = new Date('2026-12-01T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const rule: RuleToDecide = { enabled: true, condition: '>', threshold: 0.5, cooldownMinutes: 15, provider: null };

const firing = (subject: string, fields: Partial<Alert> = {}): Alert => ({
  id: `alert_${subject}`,
  ruleId: 'rule_x',
  subject,
  status: 'firing',
  value: 0.9,
  firedAt: minutesAgo(5),
  resolvedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  lastNotifiedAt: minutesAgo(5),
  notifications: 1,
  ...fields,
});

const decide = (input: Partial<DecideAlertsInput>) => decideAlerts({ rule, samples: [], firing: [], lastNotifiedAt: () => undefined, now, ...input });

describe('decideAlerts', () => {
  it('fires and notifies a subject that starts breaching, and nothing for one within bounds', () => {
    expect(
      decide({
        samples: [
          { subject: 'openai', value: 0.75, provider: 'openai' },
          { subject: 'anthropic', value: 0.5, provider: 'anthropic' },
        ],
      }),
    ).toEqual([{ kind: 'fire', subject: 'openai', value: 0.75, notify: true }]);
  });

  it('keeps a firing alert quiet inside the cooldown and notifies it again once it has passed', () => {
    const alert = firing('openai');
    const samples = [{ subject: 'openai', value: 0.8, provider: 'openai' }];
    expect(decide({ samples, firing: [alert], lastNotifiedAt: () => minutesAgo(5) })).toEqual([{ kind: 'keep', alert, value: 0.8, notify: false }]);
    expect(decide({ samples, firing: [alert], lastNotifiedAt: () => minutesAgo(15) })).toEqual([{ kind: 'keep', alert, value: 0.8, notify: true }]);
  });

  it('does not repeat an acknowledged alert', () => {
    const alert = firing('openai', { acknowledgedAt: minutesAgo(1), acknowledgedBy: 'admin' });
    expect(decide({ samples: [{ subject: 'openai', value: 0.8 }], firing: [alert], lastNotifiedAt: () => minutesAgo(60) })).toEqual([
      { kind: 'keep', alert, value: 0.8, notify: false },
    ]);
  });

  it('raises a flapping subject again without notifying it inside the cooldown', () => {
    expect(decide({ samples: [{ subject: 'openai', value: 1 }], lastNotifiedAt: () => minutesAgo(2) })).toEqual([
      { kind: 'fire', subject: 'openai', value: 1, notify: false },
    ]);
  });

  it('resolves an alert whose subject recovered or is no longer measured, notifying only what was notified', () => {
    const recovered = firing('openai');
    const gone = firing('ollama', { lastNotifiedAt: null, notifications: 0 });
    expect(decide({ samples: [{ subject: 'openai', value: 0.1 }], firing: [recovered, gone] })).toEqual([
      { kind: 'resolve', alert: recovered, notify: true },
      { kind: 'resolve', alert: gone, notify: false },
    ]);
  });

  it('resolves every alert of a disabled rule, whatever the metric says', () => {
    const alert = firing('openai');
    expect(decide({ rule: { ...rule, enabled: false }, samples: undefined, firing: [alert] })).toEqual([{ kind: 'resolve', alert, notify: true }]);
  });

  it('decides nothing when the metric could not be read', () => {
    expect(decide({ samples: undefined, firing: [firing('openai')] })).toEqual([]);
  });

  it("counts only the rule's provider when it names one", () => {
    const samples = [
      { subject: 'openai/gpt-4o', value: 1, provider: 'openai' },
      { subject: 'mock/mock-fast', value: 1, provider: 'mock' },
    ];
    expect(decide({ rule: { ...rule, condition: '>=', threshold: 1, provider: 'mock' }, samples })).toEqual([
      { kind: 'fire', subject: 'mock/mock-fast', value: 1, notify: true },
    ]);
  });

  it('honours each condition at its threshold', () => {
    const at = (condition: RuleToDecide['condition']) =>
      decide({ rule: { ...rule, condition, threshold: 1 }, samples: [{ subject: 'ledger', value: 1 }] }).length;
    expect([at('>'), at('>='), at('<'), at('<=')]).toEqual([0, 1, 0, 1]);
  });

  it('notifies at every evaluation with a zero cooldown', () => {
    const alert = firing('openai');
    expect(decide({ rule: { ...rule, cooldownMinutes: 0 }, samples: [{ subject: 'openai', value: 1 }], firing: [alert], lastNotifiedAt: () => now })).toEqual([
      { kind: 'keep', alert, value: 1, notify: true },
    ]);
  });
});
