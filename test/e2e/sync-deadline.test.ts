import { expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai' } },
  overrides: ({ openai }) => ({ server: { syncTimeoutMs: 1000 }, providers: { openai: { apiKey: 'sk-upstream', baseUrl: openai.url, attempts: 1 } } }),
});
const upstream = gateway.upstreams.openai;

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
  await eventually('the upstream call to be aborted', () => upstream.abortedRequests > 0);
  expect(upstream.abortedRequests).toBe(1);
  const job = (await (
    await fetch(`${gateway.url}/v1/jobs/${response.headers.get('x-request-id')}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } })
  ).json()) as { status: string };
  expect(['failed', 'cancelled']).toContain(job.status);
});
