import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedMockAnswer, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { prepareProcessStack, waitForHttp, type ProcessStack, type ServiceProcess } from '../support/processes.ts';

// Crash recovery with the DEFAULT lock settings (no worker config): one api and two worker
// processes; the worker holding a sync request is SIGKILLed mid-call. The time until the
// caller has its answer is measured and printed (it goes in the README), not asserted.
let upstream: MockUpstream;
let stack: ProcessStack;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
  stack = await prepareProcessStack({ env: { OPENAI_API_KEY: 'sk-upstream', OPENAI_BASE_URL: upstream.url } });
  const api = stack.start(['api']);
  await waitForHttp(`${stack.url}/health`, api);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await upstream?.close();
});

async function liveWorkers(): Promise<number> {
  const response = await fetch(`${stack.url}/v1/health`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  const body = (await response.json()) as { providers: Record<string, { workers: number }> };
  return body.providers.openai?.workers ?? 0;
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const startWorker = (): ServiceProcess => stack.start(['worker', '--provider', 'openai']);
const callsFor = (content: string) => upstream.requests.filter((request) => JSON.stringify(request.body).includes(content)).length;

describe('recovery of a SIGKILLed worker’s sync job with the default settings', () => {
  it('is served by the other worker, once', async () => {
    upstream.behave('gpt-4o', { stall: true });
    const doomed = startWorker();
    await waitFor(async () => (await liveWorkers()) === 1, 'the first worker');
    const content = 'recover me after a crash';
    const pending = fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
    });
    await waitFor(() => upstream.inFlight === 1, 'the call to be upstream');
    startWorker();
    await waitFor(async () => (await liveWorkers()) === 2, 'the second worker');

    upstream.behave('gpt-4o', {});
    await doomed.stop('SIGKILL');
    const killedAt = Date.now();
    const response = await pending;
    const recoveredInMs = Date.now() - killedAt;
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    process.stdout.write(
      `\n[measurement] SIGKILLed worker's sync job answered by another worker ${(recoveredInMs / 1000).toFixed(1)} s after the kill (default lock settings)\n`,
    );

    expect(response.status).toBe(200);
    expect(body.choices[0]!.message.content).toBe(expectedMockAnswer([content], content).text);
    // The call cut by the kill, and the one that served it: nothing ran twice after that.
    expect(callsFor(content)).toBe(2);
  }, 180_000);
});
