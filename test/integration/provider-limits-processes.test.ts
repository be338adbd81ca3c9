// Provider limits live on the provider's queue, so they hold across worker processes: two
// `switchyard worker` processes of 64 slots each never run more than `maxConcurrency` calls of
// a provider together, nor more than `requestsPerMinute` calls in a minute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectedMockAnswer, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { prepareProcessStack, waitForHttp, type ProcessStack } from '../support/processes.ts';

let capped: MockUpstream;
let metered: MockUpstream;
let stack: ProcessStack;

beforeAll(async () => {
  capped = await startMockOpenAIUpstream();
  metered = await startMockOpenAIUpstream();
  const yaml = [
    'providers:',
    '  capped:',
    '    kind: openai-compatible',
    '    apiKey: sk-capped',
    `    baseUrl: ${capped.url}`,
    '    maxConcurrency: 6',
    '  metered:',
    '    kind: openai-compatible',
    '    apiKey: sk-metered',
    `    baseUrl: ${metered.url}`,
    '    requestsPerMinute: 20',
    'models:',
    '  capped-chat:',
    '    provider: capped',
    '    upstreamModel: gpt-4o-mini',
    '  metered-chat:',
    '    provider: metered',
    '    upstreamModel: gpt-4o-mini',
    '',
  ].join('\n');
  stack = await prepareProcessStack({ env: {}, configYaml: yaml });
  const api = stack.start(['api']);
  for (let index = 0; index < 2; index++) stack.start(['worker', '--provider', 'capped,metered', '--concurrency', '64']);
  await waitForHttp(`${stack.url}/health`, api, 60_000);
  await eventually('two workers on each provider', async () => {
    const providers = await health();
    return providers.capped?.workers === 2 && providers.metered?.workers === 2;
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await capped?.close();
  await metered?.close();
});

async function health(): Promise<Record<string, { workers: number; queued: number; in_progress: number }>> {
  const response = await fetch(`${stack.url}/v1/health`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  return ((await response.json()) as { providers: Record<string, { workers: number; queued: number; in_progress: number }> }).providers;
}

function chat(model: string, content: string, signal?: AbortSignal) {
  return fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    signal,
  });
}

describe('provider limits across worker processes', () => {
  it('runs at most maxConcurrency calls at once over both workers', async () => {
    capped.behave('*', { latencyMs: 200 });
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, capped.inFlight)), 5);
    const contents = Array.from({ length: 60 }, (_, index) => `capped request ${index}`);
    try {
      const answers = await Promise.all(contents.map(async (content) => (await (await chat('capped-chat', content)).json()) as any));
      for (const [index, answer] of answers.entries())
        expect(answer.choices[0].message.content).toBe(expectedMockAnswer([contents[index]!], contents[index]!).text);
    } finally {
      clearInterval(watch);
    }
    // Without the queue's ceiling two workers of 64 slots would take all 60 at once.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(6);
    process.stdout.write(`\n[measurement] maxConcurrency 6 over 2 workers of 64: peak upstream calls in flight ${peak}\n`);
  }, 120_000);

  it('makes at most requestsPerMinute calls in a minute over both workers; the rest wait in the queue', async () => {
    const controller = new AbortController();
    const pending = Array.from({ length: 30 }, (_, index) => chat('metered-chat', `metered request ${index}`, controller.signal).catch(() => undefined));
    try {
      // Twenty called upstream, the rest waiting: both workers are idle, held back by the limiter
      // alone. On a starved machine a job whose lock lapsed is put back to wait by BullMQ's
      // stalled-job recovery after its call was made: run again at once, it takes a slot of the
      // twenty (a repeated body); held by the limiter, it waits with the ten never called. So at
      // least the thirty less the distinct ones called are waiting, and never more than twenty calls.
      const distinctCalled = () => new Set(metered.requests.map((request) => JSON.stringify(request.body))).size;
      let seen = {};
      await eventually(
        'twenty calls made and the rest waiting',
        async () => {
          const metering = (await health()).metered;
          seen = { calls: metered.requests.length, distinct: distinctCalled(), ...metering };
          return metered.requests.length >= 20 && metering?.in_progress === 0 && metering.queued >= 30 - distinctCalled();
        },
        { timeoutMs: 45_000, intervalMs: 100 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; upstream and health last seen ${JSON.stringify(seen)}`);
      });
      expect(metered.requests).toHaveLength(20);
    } finally {
      // The waiting callers leave; their jobs are cancelled rather than run in the next minute.
      controller.abort();
      await Promise.all(pending);
    }
  }, 120_000);
});
