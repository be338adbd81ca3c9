import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let upstream: MockUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
  gateway = await startTestGateway({
    overrides: { server: { syncTimeoutMs: 1000 }, providers: { openai: { apiKey: 'sk-upstream', baseUrl: upstream.url, attempts: 1 } } },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

it('answers 504 when a sync request misses its deadline, and aborts the upstream call', async () => {
  upstream.behave('gpt-4o', { stall: true });
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'never answered' }] }),
  });
  expect(response.status).toBe(504);
  const body = (await response.json()) as { error: { type: string; code: string } };
  expect(body.error).toMatchObject({ type: 'timeout', code: 'timeout' });
  for (let tries = 0; tries < 100 && upstream.abortedRequests === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(upstream.abortedRequests).toBe(1);
  const job = (await (await fetch(`${gateway.url}/v1/jobs/${response.headers.get('x-request-id')}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } })).json()) as { status: string };
  expect(['failed', 'cancelled']).toContain(job.status);
});
