import { randomBytes } from 'node:crypto';
import { openSecret, sealSecret } from '@switchyard/core';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * The org's default signing secret (for jobs' and batches' own `webhook_url`), in plaintext.
 * Made on first use and stored sealed; concurrent first uses agree on one secret because the
 * insert yields to whichever row landed first and every caller then reads that row.
 */
export async function getOrCreateOrgWebhookSecret(db: Kysely<Database>, orgId: string, encryptionKey: string | undefined): Promise<string> {
  const existing = await db.selectFrom('org_webhook_secrets').select('secret').where('org_id', '=', orgId).executeTakeFirst();
  if (existing) return openSecret(existing.secret, encryptionKey);
  await db
    .insertInto('org_webhook_secrets')
    .values({ org_id: orgId, secret: sealSecret(newWebhookSecret(), encryptionKey) })
    .onConflict((conflict) => conflict.column('org_id').doNothing())
    .execute();
  const row = await db.selectFrom('org_webhook_secrets').select('secret').where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return openSecret(row.secret, encryptionKey);
}
