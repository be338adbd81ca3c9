import { createHash, timingSafeEqual } from 'node:crypto';
import { newApiKeySecret, newKeyId } from '@switchyard/core';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { toOrg, type Org } from './orgs.ts';

export type CreatedApiKey = {
  id: string;
  /** The plaintext key: returned once, never stored. */
  key: string;
  keyPrefix: string;
  orgId: string;
  name: string;
  createdAt: Date;
};

export type ApiKeySummary = {
  id: string;
  orgId: string;
  name: string;
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
};

export type ActiveApiKey = { id: string; orgId: string; name: string; org: Org };

const prefixLength = 12;

export function hashApiKey(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

export async function createApiKey(db: Kysely<Database>, input: { orgId: string; name: string }): Promise<CreatedApiKey> {
  const key = newApiKeySecret();
  const row = await db
    .insertInto('api_keys')
    .values({ id: newKeyId(), org_id: input.orgId, name: input.name, key_hash: hashApiKey(key), key_prefix: key.slice(0, prefixLength) })
    .returning(['id', 'org_id', 'name', 'key_prefix', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, key, keyPrefix: row.key_prefix, orgId: row.org_id, name: row.name, createdAt: row.created_at };
}

/** The unrevoked key with this plaintext, with its org's limits; undefined for anything else. */
export async function findActiveApiKey(db: Kysely<Database>, plaintext: string): Promise<ActiveApiKey | undefined> {
  const hash = hashApiKey(plaintext);
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('orgs', 'orgs.id', 'api_keys.org_id')
    .select([
      'api_keys.id as key_id',
      'api_keys.name as key_name',
      'api_keys.key_hash',
      'orgs.id',
      'orgs.name',
      'orgs.monthly_budget_usd',
      'orgs.rpm_limit',
      'orgs.tpm_limit',
      'orgs.created_at',
    ])
    .where('api_keys.key_hash', '=', hash)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  // The index lookup already matched; the constant-time check keeps the comparison itself
  // free of timing differences should the lookup ever become a prefix or range scan.
  if (!row || !timingSafeEqual(Buffer.from(row.key_hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
  return { id: row.key_id, orgId: row.id, name: row.key_name, org: toOrg(row) };
}

/** True when this call revoked the key; false when it does not exist or was already revoked. */
export async function revokeApiKey(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function listApiKeys(db: Kysely<Database>, orgId: string): Promise<ApiKeySummary[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select(['id', 'org_id', 'name', 'key_prefix', 'created_at', 'revoked_at'])
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    keyPrefix: row.key_prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}
