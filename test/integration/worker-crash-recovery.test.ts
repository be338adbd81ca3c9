import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectedMockAnswer, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { prepareProcessStack, waitForHttp, type ProcessStack, type ServiceProcess } from '../support/processes.ts';

// Separate OS processes, as in production: one api, workers started and killed by the test.
let upstream: MockUpstream;
let stack: ProcessStack;
let api: ServiceProcess;
const workers: ServiceProcess[] = [];

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ record: false });
  stack = await prepareProcessStack({
    env: { OPENAI_API_KEY: 'sk-upstream', OPENAI_BASE_URL: upstream.url },
    // Short locks so a dead worker's jobs come back in about a second, not the default 30 s.
    configYaml: 'worker:\n  lockDurationMs: 1000\n  stalledIntervalMs: 500\n',
  });
  api = stack.start(['api']);
  await waitForHttp(`${stack.url}/health`, api);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await upstream?.close();
});

function startWorker(): ServiceProcess {
  const worker = stack.start(['worker', '--provider', 'openai', '--concurrency', '64']);
  workers.push(worker);
  return worker;
}

async function chat(content: string) {
  const response = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
  });
  const body = (await response.json()) as { choices?: Array<{ message: { content: string } }> };
  return { status: response.status, content: body.choices?.[0]?.message.content, jobId: response.headers.get('x-job-id') };
}

async function liveWorkers(): Promise<number> {
  const response = await fetch(`${stack.url}/v1/health`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  const body = (await response.json()) as { providers: Record<string, { workers: number }> };
  return body.providers.openai?.workers ?? 0;
}

async function waitForLiveWorkers(count: number): Promise<void> {
  await eventually(`${count} live workers`, async () => (await liveWorkers()) === count, { intervalMs: 50 });
}

describe('crash recovery', () => {
  it('loses no request when a worker is SIGKILLed mid-call: all 50 callers get exactly one correct answer', async () => {
    upstream.behave('gpt-4o', { latencyMs: 1500 });
    const first = startWorker();
    await waitForLiveWorkers(1);
    const contents = Array.from({ length: 50 }, (_, index) => `crash test request ${index}`);
    const pending = contents.map((content) => chat(content));
    // Kill once every request is upstream, mid-call.
    await eventually('50 upstream calls in flight', () => upstream.inFlight >= 50);
    await first.stop('SIGKILL');
    upstream.behave('gpt-4o', {});
    startWorker();
    const answers = await Promise.all(pending);
    expect(answers.map((answer) => answer.status)).toEqual(contents.map(() => 200));
    for (const [index, answer] of answers.entries()) expect(answer.content).toBe(expectedMockAnswer([contents[index]!], contents[index]!).text);
    expect(new Set(answers.map((answer) => answer.jobId)).size).toBe(50);
  }, 90_000);

  it('drains on SIGTERM: stops taking jobs, finishes the ones it holds, exits, and nothing is lost', async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await waitForLiveWorkers(0);
    upstream.behave('gpt-4o', { latencyMs: 800 });
    const draining = startWorker();
    await waitForLiveWorkers(1);
    const contents = Array.from({ length: 20 }, (_, index) => `drain test request ${index}`);
    const pending = contents.map((content) => chat(content));
    await eventually('calls in flight', () => upstream.inFlight >= 1);
    const exitCode = draining.stop('SIGTERM');
    const replacement = startWorker();
    const answers = await Promise.all(pending);
    expect(await exitCode).toBe(0);
    expect(answers.map((answer) => answer.status)).toEqual(contents.map(() => 200));
    for (const [index, answer] of answers.entries()) expect(answer.content).toBe(expectedMockAnswer([contents[index]!], contents[index]!).text);
    upstream.behave('gpt-4o', {});
    await replacement.stop();
  }, 90_000);
});
