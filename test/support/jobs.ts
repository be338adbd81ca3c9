import { expect } from 'vitest';

type Gateway = { url: string; apiKey: string };

/** `POST /v1/jobs` with an endpoint's body; expects 202 and returns the job id. */
export async function createJob(gateway: Gateway, endpoint: string, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${gateway.url}/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint, body }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}
