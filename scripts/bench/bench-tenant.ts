import { createApiKey, createDb, createOrg, migrateToLatest } from '@switchyard/db';

/** Migrates a fresh bench database and makes one org with one API key in it. */
export async function seedBenchTenant(databaseUrl: string, orgName: string): Promise<{ orgId: string; apiKey: string }> {
  const handle = await createDb({ url: databaseUrl });
  try {
    await migrateToLatest(handle.db);
    const org = await createOrg(handle.db, { name: orgName });
    return { orgId: org.id, apiKey: (await createApiKey(handle.db, { orgId: org.id, name: 'bench' })).key };
  } finally {
    await handle.close();
  }
}
