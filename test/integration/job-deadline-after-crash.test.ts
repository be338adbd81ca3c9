// `expired` means nothing ran; a job that ran, lost its worker and came back past its
// deadline ran out of time: `failed` with a timeout error. Separate OS processes, so the
// worker can be SIGKILLed mid-call.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { prepareProcessStack, waitForHttp, type ProcessStack } from '../support/processes.ts';

let upstream: MockUpstream;
let stack: ProcessStack;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
  stack = await prepareProcessStack({
    env: { OPENAI_API_KEY: 'sk-upstream', OPENAI_BASE_URL: upstream.url },
    configYaml: 'worker:\n  lockDurationMs: 1000\n  stalledIntervalMs: 500\n',
  });
  await waitForHttp(`${stack.url}/health`, stack.start(['api']));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await upstream?.close();
});

it('fails with a timeout, not expired, a job whose worker died mid-call and that came back past its TTL', async () => {
  upstream.behave('gpt-4o', { latencyMs: 30_000 });
  const worker = stack.start(['worker', '--provider', 'openai']);
  const headers = { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' };
  await eventually('a live openai worker', async () => {
    const health = (await (await fetch(`${stack.url}/v1/health`, { headers })).json()) as { providers: Record<string, { workers: number }> };
    return (health.providers.openai?.workers ?? 0) > 0;
  });
  const created = await fetch(`${stack.url}/v1/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ endpoint: '/v1/chat/completions', ttl_seconds: 2, body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'slow' }] } }),
  });
  expect(created.status).toBe(202);
  const { id } = (await created.json()) as { id: string };
  await eventually('the call upstream', () => upstream.inFlight >= 1);
  await worker.stop('SIGKILL');
  // Past the TTL before any worker can take the job back.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  stack.start(['worker', '--provider', 'openai']);
  const job = await eventually('the job to finish', async () => {
    const current = (await (await fetch(`${stack.url}/v1/jobs/${id}`, { headers })).json()) as { status: string; error: { code: string } | null };
    return current.status !== 'queued' && current.status !== 'in_progress' && current;
  });
  expect(job.status).toBe('failed');
  expect(job.error?.code).toBe('timeout');
  // It was not called again after it came back.
  expect(upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))).toHaveLength(1);
}, 90_000);
