import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../migrate.ts';
import { engines } from '../test-engines.ts';
import { createApiKey, findActiveApiKey, hashApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { createOrg, getOrg, listOrgs, updateOrg } from './orgs.ts';

describe.each(engines)('tenancy on $kind', (engine) => {
  let handle: Awaited<ReturnType<(typeof engine)['open']>>;

  beforeAll(async () => {
    handle = await engine.open();
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  it('applies migrations idempotently', async () => {
    await migrateToLatest(handle.db);
    await migrateToLatest(handle.db);
    const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(handle.db);
    expect(applied.rows.map((row) => row.name)).toEqual([
      '0001-tenancy',
      '0002-jobs-and-usage',
      '0003-batches-and-files',
      '0004-webhooks',
      '0005-cache-write-tokens',
      '0006-webhook-outbox',
      '0007-file-chunks',
      '0008-batch-lines',
      '0009-alerts',
      '0010-job-condensation',
      '0011-cache-hits',
    ]);
  });

  it('creates, reads, updates and lists orgs with exact budgets', async () => {
    const org = await createOrg(handle.db, { name: 'Acme', monthlyBudgetUsd: '1234.567890123', rpmLimit: 60 });
    expect(org).toMatchObject({ name: 'Acme', monthlyBudgetUsd: '1234.567890123', rpmLimit: 60, tpmLimit: null });
    expect(org.id).toMatch(/^org_/);

    const updated = await updateOrg(handle.db, org.id, { monthlyBudgetUsd: null, tpmLimit: 100_000 });
    expect(updated).toMatchObject({ name: 'Acme', monthlyBudgetUsd: null, rpmLimit: 60, tpmLimit: 100_000 });
    expect(await getOrg(handle.db, org.id)).toEqual(updated);
    expect(await updateOrg(handle.db, 'org_missing', { rpmLimit: 1 })).toBeUndefined();
    expect((await listOrgs(handle.db)).map((listed) => listed.id)).toContain(org.id);
    await expect(createOrg(handle.db, { name: 'Bad', monthlyBudgetUsd: '-1' })).rejects.toThrow(/monthlyBudgetUsd/);
  });

  it('stores only the hash of a key and finds the key by its plaintext', async () => {
    const org = await createOrg(handle.db, { name: 'Keys', rpmLimit: 10 });
    const created = await createApiKey(handle.db, { orgId: org.id, name: 'ci' });
    expect(created.key).toMatch(/^sk-sy_[0-9A-Za-z]{40}$/);
    expect(created.keyPrefix).toBe(created.key.slice(0, 12));

    const row = await handle.db.selectFrom('api_keys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(created.key));
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    const everything = await sql<{ dump: string }>`SELECT row_to_json(api_keys)::text AS dump FROM api_keys`.execute(handle.db);
    for (const { dump } of everything.rows) expect(dump).not.toContain(created.key);

    const found = await findActiveApiKey(handle.db, created.key);
    expect(found).toMatchObject({ id: created.id, orgId: org.id, name: 'ci', org: { id: org.id, rpmLimit: 10 } });
    expect(await findActiveApiKey(handle.db, `${created.key}x`)).toBeUndefined();
    expect(await findActiveApiKey(handle.db, created.keyPrefix)).toBeUndefined();
  });

  it('revokes a key once', async () => {
    const org = await createOrg(handle.db, { name: 'Revoke' });
    const created = await createApiKey(handle.db, { orgId: org.id, name: 'old' });
    expect(await revokeApiKey(handle.db, created.id)).toBe(true);
    expect(await revokeApiKey(handle.db, created.id)).toBe(false);
    expect(await revokeApiKey(handle.db, 'key_missing')).toBe(false);
    expect(await findActiveApiKey(handle.db, created.key)).toBeUndefined();
    const [listed] = await listApiKeys(handle.db, org.id);
    expect(listed?.revokedAt).toBeInstanceOf(Date);
  });

  it('keeps each org to its own keys', async () => {
    const orgA = await createOrg(handle.db, { name: 'A' });
    const orgB = await createOrg(handle.db, { name: 'B' });
    const keyA = await createApiKey(handle.db, { orgId: orgA.id, name: 'a' });
    const keyB = await createApiKey(handle.db, { orgId: orgB.id, name: 'b' });
    expect((await findActiveApiKey(handle.db, keyA.key))?.orgId).toBe(orgA.id);
    expect((await findActiveApiKey(handle.db, keyB.key))?.orgId).toBe(orgB.id);
    expect((await listApiKeys(handle.db, orgA.id)).map((key) => key.id)).toEqual([keyA.id]);
    expect((await listApiKeys(handle.db, orgB.id)).map((key) => key.id)).toEqual([keyB.id]);
  });

  it('returns NUMERIC and BIGINT as strings', async () => {
    const result = await sql<{
      amount: string;
      big: string;
      day: string;
    }>`SELECT 0.075::numeric(30,15) AS amount, 9007199254740993::bigint AS big, '2025-03-01'::date AS day`.execute(handle.db);
    expect(result.rows[0]).toEqual({ amount: '0.075000000000000', big: '9007199254740993', day: '2025-03-01' });
  });
});
