// `switchyard all --worker-threads 2` as an operator runs it: one OS process whose provider
// workers run on two worker threads. Many concurrent requests are answered and spread over
// both threads (each thread's series carry its name on the one /metrics), the threads follow
// a SIGHUP reload, the log is one stream of whole JSON lines, and SIGINT drains in order.
// With 0 threads the workers run on the main thread, as before.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectedMockAnswer, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { prepareProcessStack, spawnSwitchyard, waitForHttp, type ProcessStack, type ServiceProcess } from '../support/processes.ts';

// Four calls at a time per thread: forty requests cannot all be held by one of them.
const startingYaml = 'providers:\n  openai:\n    concurrency: 4\n';
const reloadedYaml = `${startingYaml}  mock-b:\n    kind: mock\n    enabled: true\nmodels:\n  mock-b-fast:\n    provider: mock-b\n`;

const adminKey = 'threads-admin-key-0123456789abcdef';

let upstream: MockUpstream;
let stack: ProcessStack;
let all: ServiceProcess;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ record: false });
  stack = await prepareProcessStack({
    env: { OPENAI_API_KEY: 'sk-upstream', OPENAI_BASE_URL: upstream.url, LOG_LEVEL: 'info', SWITCHYARD_ADMIN_KEY: adminKey },
    configYaml: startingYaml,
  });
  all = stack.start(['all', '--worker-threads', '2']);
  await waitForHttp(`${stack.url}/health`, all, 90_000);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await upstream?.close();
});

async function chat(model: string, content: string) {
  const response = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  const body = (await response.json()) as { choices?: Array<{ message: { content: string } }> };
  return { status: response.status, content: body.choices?.[0]?.message.content, provider: response.headers.get('x-switchyard-provider') };
}

async function liveWorkers(provider: string): Promise<number> {
  const response = await fetch(`${stack.url}/v1/health`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  const body = (await response.json()) as { providers: Record<string, { workers: number }> };
  return body.providers[provider]?.workers ?? 0;
}

/** The value of one series of Prometheus text (labels matched exactly), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.keys(labels).length === Object.keys(present).length && Object.entries(labels).every(([key, value]) => present[key] === value))
      return Number(match[3]);
  }
  return undefined;
}

/** Every line of the process's stdout and stderr, parsed: a cut or interleaved line fails here. */
const logLines = () =>
  all
    .output()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { msg: string; thread?: string; [field: string]: unknown });

describe('switchyard all on two worker threads', () => {
  it('starts the workers on two threads, each with its own BullMQ workers, logged under its name', async () => {
    await eventually('both threads consuming the openai queue', async () => (await liveWorkers('openai')) === 2);
    const providers = (await (await fetch(`${stack.url}/v1/admin/providers`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as {
      data: Array<{ name: string; workers: number }>;
    };
    expect(providers.data.find((provider) => provider.name === 'openai')?.workers).toBe(2);
    // Each thread follows the config as a worker process does: one instance each on the reload bus
    // (the database thread, which runs the ledger, as a ledger process does).
    const status = (await (await fetch(`${stack.url}/v1/admin/config/status`, { headers: { authorization: `Bearer ${adminKey}` } })).json()) as {
      instances: Array<{ kind: string }>;
    };
    expect(status.instances.map((instance) => instance.kind)).toEqual(['all', 'ledger', 'worker', 'worker']);
    const started = logLines().filter((line) => line.msg === 'workers started');
    expect(started.map((line) => line.thread).sort()).toEqual(['worker-1', 'worker-2']);
    expect(logLines().find((line) => line.msg.startsWith('provider workers running on'))?.msg).toBe('provider workers running on 2 worker threads');
  });

  it('answers forty concurrent requests correctly, and both threads took jobs (their series on the one /metrics)', async () => {
    upstream.behave('gpt-4o', { latencyMs: 300 });
    const contents = Array.from({ length: 40 }, (_, index) => `thread spread request ${index}`);
    const answers = await Promise.all(contents.map((content) => chat('gpt-4o', content)));
    expect(answers.map((answer) => answer.status)).toEqual(contents.map(() => 200));
    for (const [index, answer] of answers.entries()) expect(answer.content).toBe(expectedMockAnswer([contents[index]!], contents[index]!).text);

    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    const completedBy = (thread: string) => sample(metrics, 'switchyard_jobs_total', { provider: 'openai', model: 'gpt-4o', status: 'completed', thread }) ?? 0;
    expect(completedBy('worker-1')).toBeGreaterThan(0);
    expect(completedBy('worker-2')).toBeGreaterThan(0);
    expect(completedBy('worker-1') + completedBy('worker-2')).toBe(40);
    // The threads' histograms come through too; the process metrics only once, from the main thread.
    expect(metrics).toMatch(/^switchyard_upstream_seconds_count\{[^}]*thread="worker-2"[^}]*\} \d+/m);
    expect(metrics.match(/^# TYPE switchyard_process_resident_memory_bytes /gm)).toHaveLength(1);
    expect(metrics).not.toMatch(/^switchyard_process_resident_memory_bytes\{[^}]*thread=/m);
    // The main thread's own series are still there.
    expect(sample(metrics, 'switchyard_workers', { provider: 'openai' })).toBe(2);
    upstream.behave('gpt-4o', {});
  }, 60_000);

  it('follows a SIGHUP reload in the threads: a provider added to the file gets workers on both', async () => {
    writeFileSync(stack.env.SWITCHYARD_CONFIG!, reloadedYaml);
    all.child.kill('SIGHUP');
    // Only the threads run workers: an answer from mock-b means a thread started consuming its queue.
    await eventually('both threads consuming the mock-b queue', async () => (await liveWorkers('mock-b')) === 2);
    expect(await chat('mock-b-fast', 'after the reload')).toMatchObject({ status: 200, provider: 'mock-b' });
  }, 60_000);

  it('drains on SIGINT: the api answers what it holds, the threads finish their jobs, then it exits 0', async () => {
    upstream.behave('gpt-4o', { latencyMs: 1500 });
    const contents = Array.from({ length: 12 }, (_, index) => `drain request ${index}`);
    const pending = contents.map((content) => chat('gpt-4o', content));
    await eventually('calls in flight', () => upstream.inFlight >= 4);
    const exitCode = all.stop('SIGINT');
    const answers = await Promise.all(pending);
    expect(answers.map((answer) => answer.status)).toEqual(contents.map(() => 200));
    for (const [index, answer] of answers.entries()) expect(answer.content).toBe(expectedMockAnswer([contents[index]!], contents[index]!).text);
    expect(await exitCode).toBe(0);

    const messages = logLines().map((line) => `${line.thread ?? 'main'}: ${line.msg}`);
    const at = (message: string) => messages.indexOf(message);
    expect(at('main: api drained: every request answered')).toBeGreaterThan(-1);
    for (const thread of ['worker-1', 'worker-2']) {
      expect(at(`${thread}: workers drained: every job held was finished`)).toBeGreaterThan(at('main: api drained: every request answered'));
      expect(at(`${thread}: workers drained: every job held was finished`)).toBeLessThan(at('main: worker threads stopped'));
    }
    expect(at('main: worker threads stopped')).toBeLessThan(at('main: stopped'));
    expect(logLines().at(-1)).toMatchObject({ msg: 'stopped', signal: 'SIGINT', exitCode: 0 });
  }, 60_000);

  it('with SWITCHYARD_WORKER_THREADS=0 runs the workers on the main thread, as before', async () => {
    expect(all.child.exitCode).not.toBeNull();
    const single = spawnSwitchyard(['all'], { ...stack.env, SWITCHYARD_WORKER_THREADS: '0' });
    try {
      await waitForHttp(`${stack.url}/health`, single, 90_000);
      await eventually('one worker on the openai queue', async () => (await liveWorkers('openai')) === 1);
      expect(await chat('gpt-4o', 'on the main thread')).toMatchObject({
        status: 200,
        content: expectedMockAnswer(['on the main thread'], 'on the main thread').text,
      });
      const lines = single
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg: string; thread?: string; workerThreads?: number });
      expect(lines.find((line) => line.msg === 'starting switchyard all')?.workerThreads).toBe(0);
      expect(lines.filter((line) => line.msg === 'workers started').map((line) => line.thread)).toEqual([undefined]);
      expect(await single.stop('SIGINT')).toBe(0);
    } finally {
      await single.stop('SIGKILL');
    }
  }, 120_000);
});
