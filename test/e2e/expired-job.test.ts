import { expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

// No workers yet: the job waits in the queue past its TTL.
const gateway = useGateway({
  workers: false,
  upstreams: { openai: { kind: 'openai' } },
  overrides: ({ openai }) => ({ providers: { openai: { apiKey: 'sk-upstream', baseUrl: openai.url } } }),
});
const upstream = gateway.upstreams.openai;

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

  type Job = { status: string; error: { code: string } | null; cost_usd: string | null };
  const job = await eventually('the job to expire', async () => {
    const polled = (await (await fetch(`${gateway.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${gateway.apiKey}` } })).json()) as Job;
    return polled.status === 'expired' && polled;
  });
  expect(job.status).toBe('expired');
  expect(job.error?.code).toBe('expired');
  expect(job.cost_usd).toBeNull();
  expect(upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))).toHaveLength(0);
});
