// Config reload across OS processes: two `switchyard api` processes and one
// `switchyard worker --provider all` share a YAML file. A reload asked of one process (admin
// route or SIGHUP) reaches the others over Redis; each re-reads its own file, and a bad file
// is refused everywhere while the previous config keeps serving.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@switchyard/testing';
import { prepareProcessStack, spawnSwitchyard, waitForHttp, type ProcessStack, type ServiceProcess } from '../support/processes.ts';

const adminKey = 'reload-admin-key-0123456789abcdef';
const startingYaml = `
aliases:
  starter: mock-fast
`;
// A model on the built-in mock provider with its own upstream name, a model on a new mock
// provider (its queue needs a new BullMQ Worker in the worker process), and an alias.
const addedYaml = `
providers:
  mock-b:
    kind: mock
    enabled: true
models:
  mock-added:
    provider: mock
    upstreamModel: mock-added-upstream
  mock-b-fast:
    provider: mock-b
aliases:
  starter: mock-fast
  added: mock-added
`;
const badYaml = `
models:
  mock-added:
    provider: mock
    upstreamModel: mock-added-upstream
    contextLenght: 1000
aliases:
  starter: mock-fast
  added: mock-added
  broken: mock-gone
`;
const signalledYaml = `${addedYaml}  later: mock-b-fast
`;

let stack: ProcessStack;
let secondApi: ServiceProcess;
let secondUrl: string;
let configFile: string;

beforeAll(async () => {
  stack = await prepareProcessStack({ env: { SWITCHYARD_ADMIN_KEY: adminKey }, configYaml: startingYaml });
  configFile = stack.env.SWITCHYARD_CONFIG!;
  const firstApi = stack.start(['api']);
  const secondPort = await freePort();
  secondUrl = `http://127.0.0.1:${secondPort}`;
  secondApi = spawnSwitchyard(['api'], { ...stack.env, PORT: String(secondPort) });
  stack.start(['worker', '--provider', 'all']);
  await waitForHttp(`${stack.url}/health`, firstApi);
  await waitForHttp(`${secondUrl}/health`, secondApi);
  await eventually('all three processes to report their config', async () => (await status(secondUrl)).instances.length === 3);
}, 90_000);

afterAll(async () => {
  await secondApi?.stop('SIGKILL');
  await stack?.stop();
});

async function admin(url: string, method: string, path: string) {
  const response = await fetch(`${url}/v1/admin${path}`, { method, headers: { authorization: `Bearer ${adminKey}` } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function status(url: string) {
  return (await admin(url, 'GET', '/config/status')).body as { status: string; version: string; errors: string[]; instances: Array<Record<string, any>> };
}

async function chat(url: string, model: string) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: `hello ${model}` }] }),
  });
  const body = (await response.json()) as Record<string, any>;
  return { status: response.status, model: response.headers.get('x-switchyard-model'), provider: response.headers.get('x-switchyard-provider'), body };
}

/** Every instance reports `version` with `state`. */
const allAt = (instances: Array<Record<string, any>>, version: string, state: string) =>
  instances.length === 3 && instances.every((instance) => instance.version === version && instance.status === state);

describe('config reload across processes', () => {
  it('reloads every process from one admin call: both apis serve the added models through the worker', async () => {
    const before = await status(secondUrl);
    expect(before.instances.map((instance) => instance.kind)).toEqual(['api', 'api', 'worker']);
    expect(allAt(before.instances, before.version, 'ok')).toBe(true);
    expect((await chat(stack.url, 'added')).status).toBe(404);

    writeFileSync(configFile, addedYaml);
    const reloaded = await admin(stack.url, 'POST', '/config/reload');
    expect(reloaded.status).toBe(200);
    expect(reloaded.body).toMatchObject({ status: 'ok', changed: true });
    expect(reloaded.body.models).toEqual(expect.arrayContaining(['mock-added', 'mock-b-fast']));
    expect(reloaded.body.providers).toEqual(expect.arrayContaining(['mock', 'mock-b']));

    const after = await eventually('every process on the new version', async () => {
      const seen = await status(secondUrl);
      return allAt(seen.instances, reloaded.body.version, 'ok') && seen;
    });
    expect(after).toMatchObject({ status: 'ok', version: reloaded.body.version, errors: [] });

    for (const url of [stack.url, secondUrl]) {
      const byAlias = await chat(url, 'added');
      expect(byAlias).toMatchObject({ status: 200, model: 'mock-added', provider: 'mock' });
      expect(byAlias.body.choices[0].message.content).toContain('hello added');
      // Only a worker that started consuming the new provider's queue can answer this one.
      const newProvider = await chat(url, 'mock-b-fast');
      expect(newProvider).toMatchObject({ status: 200, model: 'mock-b-fast', provider: 'mock-b' });
    }
  }, 60_000);

  it('refuses a bad file in every process, names the keys, and keeps serving the previous config', async () => {
    const previous = await status(stack.url);
    writeFileSync(configFile, badYaml);
    const refused = await admin(stack.url, 'POST', '/config/reload');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_request' });
    expect(refused.body.error.message).toContain('models.mock-added.contextLenght');
    expect(refused.body.error.message).toContain('aliases.broken');
    expect(refused.body.error.errors).toEqual([
      'models.mock-added.contextLenght: unknown key (did you mean models.mock-added.contextLength?)',
      'aliases.broken: unknown model "mock-gone"',
    ]);

    const seen = await eventually('every process to report the refused file', async () => {
      const current = await status(secondUrl);
      return allAt(current.instances, previous.version, 'error') && current;
    });
    expect(seen).toMatchObject({ status: 'error', version: previous.version, errors: refused.body.error.errors });
    for (const instance of seen.instances) expect(instance.errors).toEqual(refused.body.error.errors);
    for (const url of [stack.url, secondUrl]) {
      expect(await chat(url, 'added')).toMatchObject({ status: 200, model: 'mock-added' });
      expect(await chat(url, 'mock-b-fast')).toMatchObject({ status: 200, provider: 'mock-b' });
      expect((await chat(url, 'broken')).status).toBe(404);
    }
  }, 60_000);

  it('reloads on SIGHUP, and the other processes follow', async () => {
    writeFileSync(configFile, signalledYaml);
    secondApi.child.kill('SIGHUP');
    const seen = await eventually('every process on the file the signal loaded', async () => {
      const current = await status(stack.url);
      return current.status === 'ok' && allAt(current.instances, current.version, 'ok') && current;
    });
    expect(seen.errors).toEqual([]);
    for (const url of [stack.url, secondUrl]) expect(await chat(url, 'later')).toMatchObject({ status: 200, model: 'mock-b-fast', provider: 'mock-b' });
    expect(secondApi.child.exitCode).toBeNull();
  }, 60_000);
});
