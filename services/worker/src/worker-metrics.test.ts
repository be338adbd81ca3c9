import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { InferenceJobData, JobOutcome, UsageRecord } from '@switchyard/core';
import { Registry } from 'prom-client';
import { createWorkerMetrics } from './worker-metrics.ts';

const data = (routeIndex = 0): InferenceJobData => ({
  requestId: 'req_1',
  orgId: 'org_1',
  keyId: 'key_1',
  endpoint: '/v1/chat/completions',
  mode: 'async',
  stream: false,
  requestedModel: 'primary-model',
  call: { kind: 'chat', request: { model: 'gpt-4o', messages: [] } },
  routes: [
    { provider: 'openai', model: 'primary-model', upstreamModel: 'gpt-4o' },
    { provider: 'backup', model: 'backup-model', upstreamModel: 'backup' },
  ],
  routeIndex,
  createdAt: 0,
  deadline: 60_000,
});

const record: UsageRecord = {
  requestId: 'req_1',
  attempt: 1,
  orgId: 'org_1',
  keyId: 'key_1',
  provider: 'openai',
  model: 'primary-model',
  inputTokens: 1200,
  outputTokens: 30,
  cachedInputTokens: 1000,
  cacheWriteInputTokens: 0,
  estimated: false,
  priceVersion: 'v1',
  costUsd: '0.000450',
  durationMs: 2500,
  queueMs: 10,
  status: 'completed',
  createdAt: 0,
};

const jobOf = (fields: Partial<Job<InferenceJobData, JobOutcome>>) =>
  ({ data: data(), timestamp: 1000, processedOn: 1250, attemptsStarted: 1, ...fields }) as Job<InferenceJobData, JobOutcome>;

const text = (registry: Registry) => registry.metrics();

describe('worker metrics', () => {
  it('counts the tokens of an attempt by kind, its cost and its duration, with no org, key or request in a label', async () => {
    const registry = new Registry();
    const metrics = createWorkerMetrics(registry, ['openai']);
    metrics.attemptFinished(record);
    const output = await text(registry);
    expect(output).toContain('switchyard_tokens_total{provider="openai",model="primary-model",kind="input"} 1200');
    expect(output).toContain('switchyard_tokens_total{provider="openai",model="primary-model",kind="output"} 30');
    expect(output).toContain('switchyard_tokens_total{provider="openai",model="primary-model",kind="cached_input"} 1000');
    expect(output).not.toContain('kind="cache_write"');
    expect(output).toContain('switchyard_cost_usd_total{provider="openai",model="primary-model"} 0.00045');
    expect(output).toContain('switchyard_upstream_seconds_sum{provider="openai",model="primary-model",status="completed"} 2.5');
    expect(output).not.toMatch(/org_1|key_1|req_1/);
  });

  it('counts a forward as a finished job and a fallback of the route that handed it on', async () => {
    const registry = new Registry();
    const metrics = createWorkerMetrics(registry, ['openai', 'backup']);
    metrics.jobFinished(data(0), 'forwarded');
    metrics.jobFinished(data(1), 'completed');
    const output = await text(registry);
    expect(output).toContain('switchyard_jobs_total{provider="openai",model="primary-model",status="forwarded"} 1');
    expect(output).toContain('switchyard_jobs_total{provider="backup",model="backup-model",status="completed"} 1');
    expect(output).toContain('switchyard_fallbacks_total{provider="openai"} 1');
    expect(output).toContain('switchyard_fallbacks_total{provider="backup"} 0');
  });

  it('observes the queue wait on the first start only, in the lane of the job mode, and tracks running jobs', async () => {
    const registry = new Registry();
    const metrics = createWorkerMetrics(registry, ['openai']);
    metrics.jobStarted(jobOf({}));
    expect(await text(registry)).toContain('switchyard_worker_jobs_active{provider="openai"} 1');
    metrics.jobStopped(data());
    metrics.jobStarted(jobOf({ attemptsStarted: 2, processedOn: 9000 }));
    metrics.jobStopped(data());
    const output = await text(registry);
    expect(output).toContain('switchyard_job_queue_seconds_count{provider="openai",lane="async"} 1');
    expect(output).toContain('switchyard_job_queue_seconds_sum{provider="openai",lane="async"} 0.25');
    expect(output).toContain('switchyard_worker_jobs_active{provider="openai"} 0');
  });
});
