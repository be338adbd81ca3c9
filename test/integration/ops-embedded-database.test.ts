import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@switchyard/testing';
import { prepareEmbeddedAll, runSwitchyardCommand, spawnSwitchyard, waitForHttp, type EmbeddedAllSetup, type ServiceProcess } from '../support/processes.ts';

// `switchyard all` on the embedded database (no DATABASE_URL), and admin commands run as
// separate processes beside it, the way an operator would type them.
let setup: EmbeddedAllSetup;
let env: Record<string, string>;
let url: string;
let all: ServiceProcess | undefined;

beforeAll(async () => {
  setup = await prepareEmbeddedAll('embedded');
  ({ env, url } = setup);
});

afterAll(async () => {
  await all?.stop('SIGKILL');
  await setup.cleanup();
});

/** One admin command to completion. */
function switchyard(args: string[], extraEnv: Record<string, string> = {}) {
  return runSwitchyardCommand(args, { ...env, ...extraEnv });
}

async function json<T>(args: string[]): Promise<T> {
  const result = await switchyard(args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function startAll(): Promise<ServiceProcess> {
  all = spawnSwitchyard(['all'], env);
  // PGlite's first start (initdb and migrations) takes a while on a busy machine.
  await waitForHttp(`${url}/health`, all, 180_000);
  return all;
}

const modelsStatus = async (key: string) => (await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status;
const lockFile = () => join(setup.directory, 'pglite.lock');

describe('admin commands beside a running all on the embedded database', () => {
  let orgId: string;
  let cliKey: { id: string; key: string };

  it('keys create prints a key that works at once (it went through the running all)', async () => {
    const running = await startAll();
    const firstKey = /shown once\):\s+(sk-sy\S+)/.exec(running.output())?.[1];
    expect(firstKey).toBeDefined();
    expect(await modelsStatus(firstKey!)).toBe(200);

    const orgs = await json<Array<{ id: string; name: string }>>(['orgs', 'list']);
    expect(orgs.map((org) => org.name)).toEqual(['default']);
    orgId = orgs[0]!.id;
    cliKey = await json<{ id: string; key: string }>(['keys', 'create', '--org', orgId, '--name', 'from the cli']);
    expect(cliKey.key).toMatch(/^sk-sy/);
    expect(await modelsStatus(cliKey.key)).toBe(200);
  }, 240_000);

  it('keys list shows both keys without secrets; keys revoke is refused at once', async () => {
    const keys = await json<Array<Record<string, unknown>>>(['keys', 'list', '--org', orgId]);
    expect(keys.map((key) => key.name)).toEqual(['first key', 'from the cli']);
    expect(JSON.stringify(keys)).not.toContain(cliKey.key);
    expect(keys[1]).toMatchObject({ id: cliKey.id, revoked_at: null });

    expect(await json(['keys', 'revoke', cliKey.id])).toMatchObject({ id: cliKey.id, revoked: true });
    expect(await modelsStatus(cliKey.key)).toBe(401);
  });

  it('bad input to an admin command gets the same clear message as the admin API', async () => {
    const refused = await switchyard(['orgs', 'update', orgId, '--budget', '1e308']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('switchyard: monthly_budget_usd: must be a non-negative amount in USD below 1e12 with at most 9 fraction digits\n');
  });

  it('the lock file (it holds a local admin key) is readable by its owner only', () => {
    expect(statSync(lockFile()).mode & 0o777).toBe(0o600);
  });

  it('a second all on the same embedded database is refused by name', async () => {
    const second = await switchyard(['all'], { PORT: String(await freePort()) });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by "switchyard all" (pid ${all!.child.pid}`);
    expect(second.stderr).toContain('DATABASE_URL');
  }, 60_000);

  it('after all is SIGKILLed, the stale lock is noticed: admin commands work alone and the next all sees their key', async () => {
    await all!.stop('SIGKILL');
    expect(existsSync(lockFile())).toBe(true);
    const alone = await json<{ key: string }>(['keys', 'create', '--org', orgId, '--name', 'while stopped']);
    expect(existsSync(lockFile())).toBe(false);
    await startAll();
    expect(await modelsStatus(alone.key)).toBe(200);
    expect(await modelsStatus(cliKey.key)).toBe(401);
  }, 240_000);
});
