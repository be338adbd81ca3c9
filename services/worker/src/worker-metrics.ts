import type { Job } from 'bullmq';
import type { InferenceJobData, JobOutcome, UsageRecord } from '@switchyard/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The route a job runs on; a job without one (a bug, reported as failed) still counts somewhere. */
const routeOf = (data: InferenceJobData) => data.routes[data.routeIndex] ?? { provider: 'unknown', model: 'unknown' };

/** Token kinds as the ledger records them (`cached_input` and `cache_write` are parts of `input`). */
const tokenKinds = [
  ['input', 'inputTokens'],
  ['output', 'outputTokens'],
  ['cached_input', 'cachedInputTokens'],
  ['cache_write', 'cacheWriteInputTokens'],
] as const satisfies ReadonlyArray<readonly [string, keyof UsageRecord]>;

/**
 * The worker's Prometheus metrics: what each job and each upstream attempt came to, fed from
 * the processor wrapper and the attempt hook in startWorkers. Tokens and cost come from the
 * usage records the ledger gets, so a dashboard and the bill agree. Labels are providers,
 * catalog models, statuses and lanes only: all bounded by the config.
 */
export function createWorkerMetrics(registry: Registry, providers: readonly string[]) {
  const jobs = new Counter({
    name: 'switchyard_jobs_total',
    help: 'Route jobs finished by this worker, by outcome (completed, failed, cancelled, expired, forwarded to the next route)',
    labelNames: ['provider', 'model', 'status'],
    registers: [registry],
  });
  const queueSeconds = new Histogram({
    name: 'switchyard_job_queue_seconds',
    help: 'Seconds from a route job being queued to a worker starting it (first start only), by lane (sync, async, batch)',
    labelNames: ['provider', 'lane'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 86_400],
    registers: [registry],
  });
  const upstreamSeconds = new Histogram({
    name: 'switchyard_upstream_seconds',
    help: 'Seconds of one attempt at a provider, by how it ended (completed, failed, cancelled)',
    labelNames: ['provider', 'model', 'status'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'switchyard_tokens_total',
    help: 'Tokens of provider attempts as billed: input, output, and the cached_input and cache_write parts of input',
    labelNames: ['provider', 'model', 'kind'],
    registers: [registry],
  });
  const cost = new Counter({
    name: 'switchyard_cost_usd_total',
    help: 'USD of provider attempts at the catalog price (the amount the ledger records)',
    labelNames: ['provider', 'model'],
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: 'switchyard_fallbacks_total',
    help: 'Requests this provider handed on to the next route of their fallback chain',
    labelNames: ['provider'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'switchyard_retries_total',
    help: 'Attempts that failed and were put back for a retry on the same route (after a backoff)',
    labelNames: ['provider'],
    registers: [registry],
  });
  const activeJobs = new Gauge({
    name: 'switchyard_worker_jobs_active',
    help: 'Jobs this worker process is running now',
    labelNames: ['provider'],
    registers: [registry],
  });
  const faults = new Counter({
    name: 'switchyard_faults_injected_total',
    help: 'Faults injected before an upstream call by a chaos rule (delay, error, stall)',
    labelNames: ['provider', 'type'],
    registers: [registry],
  });
  // The series of the providers consumed exist from the start, so a rate sees a zero, not a gap.
  for (const provider of providers) {
    activeJobs.set({ provider }, 0);
    fallbacks.inc({ provider }, 0);
    retries.inc({ provider }, 0);
  }

  return {
    /** A worker took the job: it is running, and on its first start, it says how long it waited in its lane. */
    jobStarted(job: Job<InferenceJobData, JobOutcome>) {
      const { provider } = routeOf(job.data);
      activeJobs.inc({ provider });
      if (job.attemptsStarted <= 1)
        queueSeconds.observe({ provider, lane: job.data.mode }, Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp) / 1000);
    },
    jobStopped(data: InferenceJobData) {
      activeJobs.dec({ provider: routeOf(data).provider });
    },
    /** One attempt that reached a provider, as its usage record says. */
    attemptFinished(record: UsageRecord) {
      const labels = { provider: record.provider, model: record.model };
      upstreamSeconds.observe({ ...labels, status: record.status }, record.durationMs / 1000);
      for (const [kind, field] of tokenKinds) {
        const count = Number(record[field] ?? 0);
        if (count > 0) tokens.inc({ ...labels, kind }, count);
      }
      const usd = Number(record.costUsd);
      if (usd > 0) cost.inc(labels, usd);
    },
    /** The job's run ended with an outcome (or, `failed`, without one: BullMQ gave up on it). */
    jobFinished(data: InferenceJobData, status: JobOutcome['status']) {
      const { provider, model } = routeOf(data);
      jobs.inc({ provider, model, status });
      if (status === 'forwarded') fallbacks.inc({ provider });
    },
    retryScheduled(data: InferenceJobData) {
      retries.inc({ provider: routeOf(data).provider });
    },
    faultInjected(provider: string, type: string) {
      faults.inc({ provider, type });
    },
  };
}
