import { GatewayError } from '@switchyard/core';
import {
  createApiKey,
  createOrg,
  getOrg,
  listApiKeys,
  listOrgs,
  revokeApiKey,
  updateOrg,
  type ApiKeySummary,
  type Database,
  type Kysely,
  type Org,
} from '@switchyard/db';
import { createKeyBody, createOrgBody, parseAdminBody, updateOrgBody } from './admin-bodies.ts';

const seconds = (date: Date | null): number | null => (date ? Math.floor(date.getTime() / 1000) : null);

export function renderOrg(org: Org) {
  return {
    id: org.id,
    object: 'organization' as const,
    name: org.name,
    monthly_budget_usd: org.monthlyBudgetUsd,
    rpm_limit: org.rpmLimit,
    tpm_limit: org.tpmLimit,
    created_at: seconds(org.createdAt)!,
  };
}

/** A key as listings show it: never the secret, only the prefix that tells keys apart. */
export function renderKeySummary(key: ApiKeySummary) {
  return {
    id: key.id,
    object: 'api_key' as const,
    org_id: key.orgId,
    name: key.name,
    key_prefix: key.keyPrefix,
    created_at: seconds(key.createdAt)!,
    revoked_at: seconds(key.revokedAt),
  };
}

export type TenancyAdmin = ReturnType<typeof createTenancyAdmin>;

/**
 * Orgs and keys as the admin API offers them, from request-shaped bodies to response
 * shapes. The HTTP routes and the CLI (when it talks to the database itself) both use it,
 * so they validate and answer alike.
 */
export function createTenancyAdmin(options: { db: Kysely<Database>; invalidatePrincipals: (reason: string) => Promise<void> }) {
  const { db } = options;
  const requireOrg = async (orgId: string): Promise<Org> => {
    const org = await getOrg(db, orgId);
    if (!org) throw new GatewayError('not_found', `No organization found with id '${orgId}'.`);
    return org;
  };
  return {
    listOrgs: async () => (await listOrgs(db)).map(renderOrg),
    getOrg: async (orgId: string) => renderOrg(await requireOrg(orgId)),
    async createOrg(input: unknown) {
      const body = parseAdminBody(createOrgBody, input);
      return renderOrg(await createOrg(db, { name: body.name, monthlyBudgetUsd: body.monthly_budget_usd, rpmLimit: body.rpm_limit, tpmLimit: body.tpm_limit }));
    },
    async updateOrg(orgId: string, input: unknown) {
      const body = parseAdminBody(updateOrgBody, input);
      const org = await updateOrg(db, orgId, { monthlyBudgetUsd: body.monthly_budget_usd, rpmLimit: body.rpm_limit, tpmLimit: body.tpm_limit });
      if (!org) throw new GatewayError('not_found', `No organization found with id '${orgId}'.`);
      await options.invalidatePrincipals('org limits changed');
      return renderOrg(org);
    },
    async listKeys(orgId: string) {
      const org = await requireOrg(orgId);
      return (await listApiKeys(db, org.id)).map(renderKeySummary);
    },
    /** The only answer that carries the secret, once. */
    async createKey(orgId: string, input: unknown) {
      const body = parseAdminBody(createKeyBody, input);
      const org = await requireOrg(orgId);
      const key = await createApiKey(db, { orgId: org.id, name: body.name });
      return {
        id: key.id,
        object: 'api_key' as const,
        org_id: key.orgId,
        name: key.name,
        key: key.key,
        key_prefix: key.keyPrefix,
        created_at: seconds(key.createdAt)!,
      };
    },
    async revokeKey(id: string) {
      if (!(await revokeApiKey(db, id))) throw new GatewayError('not_found', `No active key found with id '${id}'.`);
      await options.invalidatePrincipals('key revoked');
      return { id, object: 'api_key' as const, revoked: true };
    },
  };
}
