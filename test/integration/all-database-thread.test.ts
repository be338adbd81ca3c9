// `switchyard all` on the embedded database keeps PGlite off the api's event loop: the
// database, the ledger, webhooks, the batch driver and alerts run on a database thread, and
// the api reaches PGlite through it (a Kysely over a MessagePort). What a user sees: usage
// written and read back, the thread's series on the one /metrics, a SIGINT that drains in
// order and loses nothing, and a database thread that dies stopping `all`, non-zero, saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { prepareEmbeddedAll, spawnSwitchyard, waitForHttp, type EmbeddedAllSetup, type ServiceProcess } from '../support/processes.ts';

let setup: EmbeddedAllSetup;
let env: Record<string, string>;
let url: string;
let apiKey: string;
let all: ServiceProcess | undefined;

beforeAll(async () => {
  // The layout of the default on 2 cores, whatever this machine has: the workers on the main thread.
  setup = await prepareEmbeddedAll('database-thread', { LOG_LEVEL: 'info', SWITCHYARD_WORKER_THREADS: '0' });
  ({ env, url } = setup);
});

afterAll(async () => {
  await all?.stop('SIGKILL');
  await setup.cleanup();
});

async function startAll(extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
  all = spawnSwitchyard(['all'], { ...env, ...extraEnv });
  // PGlite's first start (initdb and migrations) takes a while on a busy machine.
  await waitForHttp(`${url}/health`, all, 180_000);
  return all;
}

const logLines = (service: ServiceProcess) =>
  service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; thread?: string; [field: string]: unknown });

async function chat(content: string): Promise<number> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-fast', messages: [{ role: 'user', content }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function totalRequests(): Promise<number> {
  const response = await fetch(`${url}/v1/usage`, { headers: { authorization: `Bearer ${apiKey}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { total_requests: number }).total_requests;
}

describe('switchyard all: the embedded database on its own thread', () => {
  it('runs the ledger there; the api writes keys and reads usage through it; its series are on /metrics', async () => {
    const running = await startAll();
    apiKey = /shown once\):\s+(sk-sy\S+)/.exec(running.output())?.[1] ?? '';
    expect(apiKey).toMatch(/^sk-sy/);
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, index) => chat(`database thread ${index}`)));
    expect(statuses).toEqual(statuses.map(() => 200));
    await eventually('the ledger wrote all twenty requests', async () => (await totalRequests()) === 20);

    const started = logLines(running).find((line) => line.msg.startsWith('ledger started'));
    expect(started?.thread).toBe('database');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^switchyard_ledger_batch_entries_count\{[^}]*thread="database"[^}]*\} [1-9]\d*/m);
  }, 240_000);

  it('stops all, non-zero and saying why, when the database thread dies', async () => {
    expect(await all?.stop('SIGINT')).toBe(0);
    // The thread throws 3 s after it is ready: `all` has started by then, or is still starting.
    const crashing = spawnSwitchyard(['all'], { ...env, SWITCHYARD_TEST_CRASH_DATABASE_THREAD: '3000' });
    all = crashing;
    // 'close', not 'exit': the process may be gone before its last lines have been read from the pipe.
    const exitCode = await new Promise<number | null>((resolve) => crashing.child.once('close', resolve));
    expect(exitCode).toBe(1);
    const fatal = logLines(crashing).find((line) => line.level === 60);
    expect(fatal?.msg).toMatch(/^the database thread stopped \(uncaught Error: test crash of the database thread/);
  }, 240_000);

  it('drains on SIGINT in order and loses nothing: started again, the usage report counts every request', async () => {
    const running = await startAll();
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, index) => chat(`before the drain ${index}`)));
    expect(statuses).toEqual(statuses.map(() => 200));
    // At once: the ledger's last entries are still lingering for a shared transaction.
    expect(await running.stop('SIGINT')).toBe(0);
    const messages = logLines(running).map((line) => `${line.thread ?? 'main'}: ${line.msg}`);
    const at = (message: string) => messages.indexOf(message);
    expect(at('main: api drained: every request answered')).toBeGreaterThan(-1);
    expect(at('main: workers drained: every job held was finished')).toBeGreaterThan(at('main: api drained: every request answered'));
    expect(at('main: database thread stopped')).toBeGreaterThan(at('main: workers drained: every job held was finished'));
    expect(at('main: stopped')).toBeGreaterThan(at('main: database thread stopped'));

    await startAll();
    expect(await totalRequests()).toBe(30);
  }, 240_000);
});
