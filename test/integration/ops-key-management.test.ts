import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, listOrgs } from '@switchyard/db';
import { prepareProcessStack, spawnSwitchyard, waitForHttp, type ProcessStack, type ServiceProcess, runSwitchyardCommand } from '../support/processes.ts';
import { freePort } from '@switchyard/testing';

// Two api OS processes on one Postgres and Redis, and the CLI as a third process: a key
// revoked with `switchyard keys revoke` is refused by both apis at once.
let stack: ProcessStack;
let apis: Array<{ url: string; process: ServiceProcess }>;
let orgId: string;

beforeAll(async () => {
  stack = await prepareProcessStack({ env: {} });
  const first = stack.start(['api']);
  const secondPort = await freePort();
  const second = spawnSwitchyard(['api'], { ...stack.env, PORT: String(secondPort) });
  apis = [
    { url: stack.url, process: first },
    { url: `http://127.0.0.1:${secondPort}`, process: second },
  ];
  await Promise.all(apis.map((api) => waitForHttp(`${api.url}/health`, api.process)));
  const database = await createDb({ url: stack.env.DATABASE_URL! });
  orgId = (await listOrgs(database.db))[0]!.id;
  await database.close();
}, 60_000);

afterAll(async () => {
  await apis?.[1]?.process.stop('SIGKILL');
  await stack?.stop();
});

function switchyard(args: string[]) {
  return runSwitchyardCommand(args, stack.env);
}

async function json<T>(args: string[]): Promise<T> {
  const result = await switchyard(args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

const statuses = (key: string) =>
  Promise.all(apis.map(async (api) => (await fetch(`${api.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status));

describe('key management from the CLI against a shared Postgres', () => {
  it('keys create, keys list (no secrets), keys revoke: refused at once by both api processes', async () => {
    const created = await json<{ id: string; key: string; key_prefix: string }>(['keys', 'create', '--org', orgId, '--name', 'ci']);
    expect(await statuses(created.key)).toEqual([200, 200]);

    const listed = await json<Array<Record<string, unknown>>>(['keys', 'list', '--org', orgId]);
    expect(listed.map((key) => key.name)).toEqual(['processes', 'ci']);
    expect(listed[1]).toMatchObject({ id: created.id, key_prefix: created.key_prefix, revoked_at: null });
    expect(JSON.stringify(listed)).not.toContain(created.key);

    expect(await json(['keys', 'revoke', created.id])).toMatchObject({ id: created.id, revoked: true });
    expect(await statuses(created.key)).toEqual([401, 401]);
    expect(await statuses(stack.apiKey)).toEqual([200, 200]);
    const listedAfter = await json<Array<{ revoked_at: number | null }>>(['keys', 'list', '--org', orgId]);
    expect(listedAfter[1]!.revoked_at).toEqual(expect.any(Number));
  }, 90_000);

  it('refuses a missing flag and an unknown org with one clear line', async () => {
    expect(await switchyard(['keys', 'list'])).toMatchObject({ code: 1, stderr: 'switchyard: keys list needs --org ORG_ID\n' });
    expect(await switchyard(['keys', 'list', '--org', 'org_nobody'])).toMatchObject({
      code: 1,
      stderr: "switchyard: No organization found with id 'org_nobody'.\n",
    });
    expect(await switchyard(['keys', 'revoke', 'key_nobody'])).toMatchObject({ code: 1, stderr: "switchyard: No active key found with id 'key_nobody'.\n" });
  }, 60_000);
});
