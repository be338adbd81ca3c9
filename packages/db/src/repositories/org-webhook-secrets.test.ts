import { openSecret } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../test-engines.ts';
import { getOrCreateOrgWebhookSecret } from './org-webhook-secrets.ts';
import { createOrg } from './orgs.ts';

describe.each(engines)('org webhook secrets on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;

  beforeAll(async () => {
    handle = await engine.open();
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  it('makes one Standard Webhooks secret on first use, stores it sealed and keeps it', async () => {
    const orgId = (await createOrg(handle.db, { name: 'secrets' })).id;
    const first = await getOrCreateOrgWebhookSecret(handle.db, orgId, 'a key');
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(first.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(await getOrCreateOrgWebhookSecret(handle.db, orgId, 'a key')).toBe(first);
    const stored = await handle.db.selectFrom('org_webhook_secrets').select('secret').where('org_id', '=', orgId).executeTakeFirstOrThrow();
    expect(stored.secret).not.toContain(first.slice('whsec_'.length));
    expect(openSecret(stored.secret, 'a key')).toBe(first);
  });

  it('gives concurrent first uses the same secret', async () => {
    const orgId = (await createOrg(handle.db, { name: 'race' })).id;
    const secrets = await Promise.all(Array.from({ length: 8 }, () => getOrCreateOrgWebhookSecret(handle.db, orgId, undefined)));
    expect(new Set(secrets).size).toBe(1);
  });

  it('keeps one secret per org', async () => {
    const one = (await createOrg(handle.db, { name: 'one' })).id;
    const two = (await createOrg(handle.db, { name: 'two' })).id;
    expect(await getOrCreateOrgWebhookSecret(handle.db, one, undefined)).not.toBe(await getOrCreateOrgWebhookSecret(handle.db, two, undefined));
  });
});
