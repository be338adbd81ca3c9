import { newId, sealSecret } from '@switchyard/core';
import type { Kysely, Selectable } from 'kysely';
import type { AlertRulesTable, Database } from '../schema.ts';
import { newWebhookSecret } from './org-webhook-secrets.ts';

export const alertConditions = ['>', '>=', '<', '<='] as const;
export type AlertCondition = (typeof alertConditions)[number];
export const alertSeverities = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof alertSeverities)[number];

/** Where a rule's notifications go: one structured log line, or a signed Standard Webhooks POST. */
export type AlertChannel = { type: 'log' } | { type: 'webhook'; url: string };

/** A rule as operators see it: never its signing secret. */
export type AlertRule = {
  id: string;
  name: string;
  metric: string;
  condition: AlertCondition;
  /** Exact decimal, as stored. */
  threshold: string;
  severity: AlertSeverity;
  cooldownMinutes: number;
  channels: AlertChannel[];
  enabled: boolean;
  builtin: boolean;
  provider: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export type AlertRuleInput = {
  name: string;
  metric: string;
  condition: AlertCondition;
  threshold: string;
  severity: AlertSeverity;
  cooldownMinutes: number;
  channels: readonly AlertChannel[];
  enabled?: boolean;
  provider?: string | null;
};

export type AlertRulePatch = Partial<AlertRuleInput>;

/** A new rule and its webhook signing secret in plaintext: the only time the secret is given out. Undefined when the name is taken. */
export async function createAlertRule(
  db: Kysely<Database>,
  input: AlertRuleInput,
  encryptionKey: string | undefined,
): Promise<{ rule: AlertRule; secret: string } | undefined> {
  const secret = newWebhookSecret();
  const row = await db
    .insertInto('alert_rules')
    .values({ id: newId('rule'), ...columnsOf(input), webhook_secret: sealSecret(secret, encryptionKey) })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && { rule: toAlertRule(row), secret };
}

/**
 * Creates the built-in rules that do not exist yet, under their fixed ids, and leaves the
 * others as operators changed them; a name already taken by an operator's rule keeps that
 * rule and skips the built-in. Safe to run by every evaluator at every start.
 */
export async function ensureBuiltinAlertRules(
  db: Kysely<Database>,
  rules: ReadonlyArray<AlertRuleInput & { id: string }>,
  encryptionKey: string | undefined,
): Promise<number> {
  if (rules.length === 0) return 0;
  const created = await db
    .insertInto('alert_rules')
    .values(rules.map((rule) => ({ id: rule.id, ...columnsOf(rule), builtin: true, webhook_secret: sealSecret(newWebhookSecret(), encryptionKey) })))
    .onConflict((conflict) => conflict.doNothing())
    .returning('id')
    .execute();
  return created.length;
}

/** Every rule, oldest first. */
export async function listAlertRules(db: Kysely<Database>): Promise<AlertRule[]> {
  const rows = await db.selectFrom('alert_rules').selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
  return rows.map(toAlertRule);
}

export async function findAlertRule(db: Kysely<Database>, id: string): Promise<AlertRule | undefined> {
  const row = await db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toAlertRule(row);
}

/** Changes only the fields present; `'name_taken'` when another rule has the new name. */
export async function updateAlertRule(db: Kysely<Database>, id: string, patch: AlertRulePatch): Promise<AlertRule | 'name_taken' | undefined> {
  const changes = columnsOf(patch);
  if (Object.keys(changes).length === 0) return findAlertRule(db, id);
  if (patch.name !== undefined) {
    const holder = await db.selectFrom('alert_rules').select('id').where('name', '=', patch.name).where('id', '!=', id).executeTakeFirst();
    if (holder) return 'name_taken';
  }
  const row = await db
    .updateTable('alert_rules')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && toAlertRule(row);
}

/**
 * Deletes an operator's rule with its alerts. A built-in rule is not deleted (the evaluator
 * would make it again at its next start): it answers `'builtin'`, and is disabled instead
 * with `enabled: false`.
 */
export async function deleteAlertRule(db: Kysely<Database>, id: string): Promise<'deleted' | 'builtin' | undefined> {
  const rule = await db.selectFrom('alert_rules').select('builtin').where('id', '=', id).executeTakeFirst();
  if (!rule) return undefined;
  if (rule.builtin) return 'builtin';
  const deleted = await db.deleteFrom('alert_rules').where('id', '=', id).where('builtin', '=', false).returning('id').executeTakeFirst();
  return deleted ? 'deleted' : undefined;
}

/** Gives the rule a new signing secret (returned in plaintext, once); the old one stops signing at once. */
export async function rotateAlertRuleSecret(
  db: Kysely<Database>,
  id: string,
  encryptionKey: string | undefined,
): Promise<{ rule: AlertRule; secret: string } | undefined> {
  const secret = newWebhookSecret();
  const row = await db
    .updateTable('alert_rules')
    .set({ webhook_secret: sealSecret(secret, encryptionKey), updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && { rule: toAlertRule(row), secret };
}

function columnsOf(input: AlertRulePatch) {
  return {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.metric !== undefined ? { metric: input.metric } : {}),
    ...(input.condition !== undefined ? { condition: input.condition } : {}),
    ...(input.threshold !== undefined ? { threshold: input.threshold } : {}),
    ...(input.severity !== undefined ? { severity: input.severity } : {}),
    ...(input.cooldownMinutes !== undefined ? { cooldown_minutes: input.cooldownMinutes } : {}),
    ...(input.channels !== undefined ? { channels: JSON.stringify(input.channels) } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.provider !== undefined ? { provider: input.provider } : {}),
  } as {
    name: string;
    metric: string;
    condition: string;
    threshold: string;
    severity: string;
    cooldown_minutes: number;
    channels: string;
    enabled?: boolean;
    provider?: string | null;
  };
}

function toAlertRule(row: Selectable<AlertRulesTable>): AlertRule {
  return {
    id: row.id,
    name: row.name,
    metric: row.metric,
    condition: row.condition as AlertCondition,
    threshold: row.threshold,
    severity: row.severity as AlertSeverity,
    cooldownMinutes: row.cooldown_minutes,
    channels: Array.isArray(row.channels) ? (row.channels as AlertChannel[]) : [],
    enabled: row.enabled,
    builtin: row.builtin,
    provider: row.provider,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
