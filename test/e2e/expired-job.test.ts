import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let upstream: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
  // No workers yet: the job waits in the queue past its TTL.
  gateway = await startTestGateway({ workers: false, overrides: { providers: { openai: { apiKey: 'sk-upstream', baseUrl: upstream.url } } } });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

it('expires a job whose TTL passed before a worker started it, without calling upstream', async () => {
  const response = await fetch(`${gateway.url}/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint: '/v1/chat/completions', ttl_seconds: 1, body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'too late' }] } }),
  });
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as { id: string };
  await new Promise((resolve) => setTimeout(resolve, 1200));
  await gateway.startWorkers();

  let job: { status: string; error: { code: string } | null; cost_usd: string | null } = { status: 'queued', error: null, cost_usd: null };
  for (let tries = 0; tries < 200 && job.status !== 'expired'; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    job = (await (await fetch(`${gateway.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } })).json()) as typeof job;
  }
  expect(job.status).toBe('expired');
  expect(job.error?.code).toBe('expired');
  expect(job.cost_usd).toBeNull();
  expect(upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))).toHaveLength(0);
});
