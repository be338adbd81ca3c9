import type { Queue } from 'bullmq';
import type { InferenceJobData, JobMode } from '@switchyard/core';
import { inferenceJobName, inferenceJobOptions } from '@switchyard/queue';
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

/** A chat backlog put straight on a provider's queue, as requests would have queued it, with no one waiting on it. */
export async function queueChatBacklog(
  queue: Pick<Queue, 'addBulk'>,
  options: { orgId: string; provider: string; model: string; upstreamModel?: string; mode: JobMode; count: number; label: string },
): Promise<void> {
  const jobs = Array.from(
    { length: options.count },
    (_, index): InferenceJobData => ({
      requestId: `req_${options.label}${options.mode}${index}`,
      orgId: options.orgId,
      keyId: 'key_backlog',
      endpoint: '/v1/chat/completions',
      mode: options.mode,
      stream: false,
      requestedModel: options.model,
      call: {
        kind: 'chat',
        request: { model: options.model, messages: [{ role: 'user', content: [{ type: 'text', text: `${options.label} line ${index}` }] }] },
      },
      routes: [{ provider: options.provider, model: options.model, upstreamModel: options.upstreamModel ?? options.model }],
      routeIndex: 0,
      createdAt: Date.now(),
      deadline: Date.now() + 3_600_000,
    }),
  );
  await queue.addBulk(jobs.map((data) => ({ name: inferenceJobName, data, opts: inferenceJobOptions(data, { attempts: 1, retentionSeconds: 600 }) })));
}
