import { newOrgId } from '@switchyard/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, OrgsTable } from '../schema.ts';

export type Org = {
  id: string;
  name: string;
  /** Decimal string in USD; null means no budget. */
  monthlyBudgetUsd: string | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  createdAt: Date;
};

export type OrgLimits = {
  monthlyBudgetUsd?: string | number | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
};

export async function createOrg(db: Kysely<Database>, input: { name: string } & OrgLimits): Promise<Org> {
  const row = await db
    .insertInto('orgs')
    .values({
      id: newOrgId(),
      name: input.name,
      monthly_budget_usd: budget(input.monthlyBudgetUsd) ?? null,
      rpm_limit: limit(input.rpmLimit, 'rpmLimit') ?? null,
      tpm_limit: limit(input.tpmLimit, 'tpmLimit') ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOrg(row);
}

/** Only the fields present in `patch` change; `null` clears a limit. */
export async function updateOrg(db: Kysely<Database>, id: string, patch: { name?: string } & OrgLimits): Promise<Org | undefined> {
  const changes = {
    name: patch.name,
    monthly_budget_usd: budget(patch.monthlyBudgetUsd),
    rpm_limit: limit(patch.rpmLimit, 'rpmLimit'),
    tpm_limit: limit(patch.tpmLimit, 'tpmLimit'),
  };
  const present = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (Object.keys(present).length === 0) return getOrg(db, id);
  const row = await db.updateTable('orgs').set(present).where('id', '=', id).returningAll().executeTakeFirst();
  return row && toOrg(row);
}

export async function getOrg(db: Kysely<Database>, id: string): Promise<Org | undefined> {
  const row = await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toOrg(row);
}

/** Orgs whose id or exact name is this (a config names an org either way); oldest first. */
export async function findOrgsByIdOrName(db: Kysely<Database>, idOrName: string): Promise<Org[]> {
  const rows = await db
    .selectFrom('orgs')
    .selectAll()
    .where((where) => where.or([where('id', '=', idOrName), where('name', '=', idOrName)]))
    .orderBy('created_at')
    .execute();
  return rows.map(toOrg);
}

export async function listOrgs(db: Kysely<Database>): Promise<Org[]> {
  const rows = await db.selectFrom('orgs').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toOrg);
}

export function toOrg(row: Selectable<OrgsTable>): Org {
  return {
    id: row.id,
    name: row.name,
    monthlyBudgetUsd: row.monthly_budget_usd,
    rpmLimit: row.rpm_limit,
    tpmLimit: row.tpm_limit,
    createdAt: row.created_at,
  };
}

function budget(value: string | number | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const text = String(value).trim();
  if (!/^\d+(\.\d+)?$/.test(text)) throw new RangeError(`monthlyBudgetUsd must be a non-negative decimal, got ${JSON.stringify(value)}`);
  return text;
}

function limit(value: number | null | undefined, name: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (!Number.isInteger(value) || value < 0 || value > 2_147_483_647) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}
