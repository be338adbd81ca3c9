import { createHash, timingSafeEqual } from 'node:crypto';
import type { SwitchyardConfig } from '@switchyard/config';
import { findOrgsByIdOrName, type Database, type Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import type { KeyLookup, Principal } from './authenticate.ts';

/**
 * The config's static API keys (`auth.apiKeys`) as a key lookup, tried before the
 * database's. The config holds only each key's SHA-256; a presented key is hashed and
 * compared with every entry in constant time. A key is bound to an organisation that must
 * already exist, named by id or exact name and looked up when the key is used (so an org
 * created after start-up, or renamed, is seen on the next lookup); nothing is created. A key
 * whose org is missing or ambiguous authenticates nobody, and says why in a warning.
 */
export function createStaticKeyLookup(config: SwitchyardConfig, db: Kysely<Database>, logger: Logger): KeyLookup {
  const entries = config.auth.apiKeys.map((entry, index) => ({
    hash: Buffer.from(entry.keyHash, 'hex'),
    org: entry.org,
    keyId: `static:${entry.name ?? index}`,
  }));
  return async (plaintext) => {
    if (entries.length === 0) return undefined;
    const presented = createHash('sha256').update(plaintext, 'utf8').digest();
    // Every entry is compared, so the time taken does not say which one matched.
    let found: (typeof entries)[number] | undefined;
    for (const entry of entries) if (timingSafeEqual(entry.hash, presented) && !found) found = entry;
    if (!found) return undefined;
    const orgs = await findOrgsByIdOrName(db, found.org);
    const org = orgs.find((candidate) => candidate.id === found.org) ?? (orgs.length === 1 ? orgs[0] : undefined);
    if (!org) {
      logger.warn(
        { keyId: found.keyId, matchingOrgs: orgs.length },
        `static API key ${found.keyId}: no single organisation has the id or name given in auth.apiKeys`,
      );
      return undefined;
    }
    const principal: Principal = {
      keyId: found.keyId,
      orgId: org.id,
      org: { monthlyBudgetUsd: org.monthlyBudgetUsd, rpmLimit: org.rpmLimit, tpmLimit: org.tpmLimit },
    };
    return principal;
  };
}
