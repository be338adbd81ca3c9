import { MetricsTime, Worker, type Job } from 'bullmq';
import { GatewayError, replyOf, type InferenceJobData, type JobOutcome, type LedgerEntry } from '@switchyard/core';
import { asLiveConfig, type LiveConfig, type SwitchyardConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import type { ProviderDependencies } from '@switchyard/providers';
import {
  cancelChannel,
  createInferenceQueues,
  createRedis,
  createTokenBatchAppender,
  createRedisHealthReporter,
  bullmqPrefix,
  inferenceQueueName,
  providerModelsRefreshChannel,
  publishReply,
  saveAnsweredJob,
} from '@switchyard/queue';
import { Registry } from 'prom-client';
import { createFaultInjector } from './fault-injection.ts';
import { refreshProviderModels } from './model-list-refresher.ts';
import { RetryRouteError, type ProcessorDependencies } from './process-inference-job.ts';
import { workerSettingsOf, type WorkerSettings } from './worker-changes.ts';
import { createWorkerGeneration, selectedProviders, type WorkerGeneration } from './worker-generation.ts';
import { createWorkerMetrics } from './worker-metrics.ts';
import { createWorkerSet } from './worker-set.ts';

export type WorkerOptions = {
  /** A LiveConfig follows reloads (see worker-generation.ts); a plain config serves as it is. */
  config: SwitchyardConfig | LiveConfig;
  logger: Logger;
  /** Provider names to consume, or 'all' enabled providers. */
  providers: string[] | 'all';
  /** Overrides each provider's configured concurrency. */
  concurrency?: number;
  /** Carries the HTTP adapters' upstream requests (tests); each adapter has its own Agent otherwise. */
  dispatcher?: ProviderDependencies['dispatcher'];
  /** Lock and stall tuning; LLM calls are long, so locks are renewed while a call runs. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  onAttemptFinished?: ProcessorDependencies['onAttemptFinished'];
  /** The process registry the worker's metrics go on (`all` shares one); a new one otherwise. */
  registry?: Registry;
};

export type RunningWorkers = {
  /** The providers consumed now (a reload may add or remove some under 'all'). */
  readonly providers: string[];
  /** Stop taking jobs, let active ones finish, close connections. */
  stop(): Promise<void>;
};

/** Refuses a provider named on the command line that is unknown or disabled (under 'all' nothing is named). */
function checkWantedProviders(config: SwitchyardConfig, wanted: string[] | 'all'): void {
  if (wanted === 'all') return;
  for (const name of wanted) {
    const provider = config.providers[name];
    if (!provider) throw new GatewayError('invalid_request', `unknown provider "${name}" (configured: ${Object.keys(config.providers).join(', ')})`);
    if (!provider.enabled) throw new GatewayError('invalid_request', `provider "${name}" is disabled: ${provider.disabledReason}`);
  }
}

export async function startWorkers(options: WorkerOptions): Promise<RunningWorkers> {
  const { logger } = options;
  const live = asLiveConfig(options.config);
  // Connections are made once, with the settings a reload cannot move.
  const config = live.current();
  checkWantedProviders(config, options.providers);
  const providers = selectedProviders(config, options.providers);
  const prefix = config.redis.prefix;
  const redisHealth = createRedisHealthReporter({ redis: config.redis, logger, service: 'worker' });
  const redis = redisHealth.watch(createRedis(config.redis, { role: 'blocking', name: 'worker' }), 'commands');
  const subscriber = redisHealth.watch(createRedis(config.redis, { role: 'subscriber', name: 'worker-cancel' }), 'cancels');
  const queues = createInferenceQueues({ connection: redis, prefix });

  // Series of providers a reload adds appear with their first job.
  const metrics = createWorkerMetrics(options.registry ?? new Registry(), providers);
  // Usage of a job's attempts is held until the job's run ends, then written with the job
  // record in one round trip, after the caller has had its reply.
  const pendingUsage = new Map<string, LedgerEntry[]>();
  const usageKey = (data: InferenceJobData) => `${data.requestId}:${data.routeIndex}`;
  const shared = {
    redis,
    queues,
    appender: createTokenBatchAppender(redis),
    logger,
    dispatcher: options.dispatcher,
    faults: createFaultInjector({ redis, prefix, logger, onInjected: metrics.faultInjected }),
    onAttemptFinished: async (event: Parameters<NonNullable<WorkerOptions['onAttemptFinished']>>[0], ledger: WorkerGeneration['ledger']) => {
      const key = usageKey(event.data);
      const entry = ledger.usageEntry(event);
      metrics.attemptFinished(entry.record);
      pendingUsage.set(key, [...(pendingUsage.get(key) ?? []), entry]);
      await options.onAttemptFinished?.(event);
    },
    // A finished job's attempts' usage and its record, with the reply (see onFinished), and
    // for an answered sync job (which BullMQ drops as it completes) its record for reads
    // until the ledger has written it.
    onFinished: async (data: InferenceJobData, outcome: JobOutcome, ledger: WorkerGeneration['ledger']) => {
      const key = usageKey(data);
      const jobEntries = ledger.jobEntries(data, outcome);
      const answered = data.mode === 'sync' ? jobEntries.find((entry) => entry.type === 'job')?.record : undefined;
      await Promise.all([ledger.append([...(pendingUsage.get(key) ?? []), ...jobEntries]), answered ? saveAnsweredJob(redis, prefix, answered) : undefined]);
      pendingUsage.delete(key);
    },
  };
  let generation = createWorkerGeneration(shared, config, providers);
  await generation.ready;
  // The ledger entries go out before BullMQ marks the job done, so a crash in between
  // replays them (idempotent on the ledger side) instead of losing them.
  const processor = async (job: Job<InferenceJobData, JobOutcome>, token?: string, signal?: AbortSignal): Promise<JobOutcome> => {
    // The generation current when the job starts runs it to its end, whatever reloads meanwhile.
    const { ledger, processInferenceJob, run } = generation;
    const key = usageKey(job.data);
    metrics.jobStarted(job);
    return run(async () => {
      try {
        const outcome = await processInferenceJob(job, token, signal);
        // A finished job's entries went out with its reply (onFinished); a forward leaves its attempts' usage.
        if (outcome.status === 'forwarded') await ledger.append(pendingUsage.get(key) ?? []);
        metrics.jobFinished(job.data, outcome.status);
        return returnValueOf(job.data, outcome);
      } catch (error) {
        if (error instanceof RetryRouteError) metrics.retryScheduled(job.data);
        await ledger.append(pendingUsage.get(key) ?? []);
        throw error;
      } finally {
        pendingUsage.delete(key);
        metrics.jobStopped(job.data);
      }
    });
  };
  const reportFinalFailure = async (job: Job<InferenceJobData, JobOutcome>, error: Error) => {
    if ((await job.getState()) !== 'failed') return;
    metrics.jobFinished(job.data, 'failed');
    logger.error(
      { requestId: job.data.requestId, provider: job.data.routes[job.data.routeIndex]?.provider, reason: error.message },
      'job failed without an outcome',
    );
    if (!job.data.replyTo) return;
    const outcome = {
      status: 'failed' as const,
      error: new GatewayError('internal_error', 'the job failed in the worker').toBody(),
      attempts: (job.data.priorAttempts ?? 0) + job.attemptsMade,
      completedAt: job.finishedOn ?? Date.now(),
    };
    await publishReply(redis, prefix, job.data.replyTo, replyOf(job.data, job.id!, outcome));
  };
  const createWorker = (name: string, settings: WorkerSettings) => {
    const worker = new Worker<InferenceJobData, JobOutcome>(inferenceQueueName(name), processor, {
      connection: redis,
      prefix: bullmqPrefix(prefix, inferenceQueueName(name)),
      concurrency: settings.concurrency,
      lockDuration: settings.lockDuration,
      stalledInterval: settings.stalledInterval,
      maxStalledCount: 2,
      // Completions per minute feed the api's queue-wait estimate (backpressure).
      metrics: { maxDataPoints: MetricsTime.ONE_HOUR * 24 },
      limiter: settings.limiter,
      settings: {
        backoffStrategy: (_attemptsMade: number, _type?: string, error?: Error) => (error instanceof RetryRouteError ? error.delayMs : 1000),
      },
    });
    // Connection trouble is reported once by the health reporter; other errors are one line each.
    worker.on('error', (error: Error & { code?: string }) => {
      if (!redisHealth.isConnectionError(error)) logger.error({ err: error, provider: name }, 'worker error');
    });
    // BullMQ failed a job without our outcome (stalled too often, crashed processor):
    // the waiting caller must still hear about it. A retry in backoff is not failed yet;
    // the job's own state says whether this failure is final.
    worker.on('failed', (job: Job<InferenceJobData, JobOutcome> | undefined, error: Error) => {
      if (!job || error instanceof RetryRouteError) return;
      void reportFinalFailure(job, error).catch((failure: unknown) =>
        logger.warn({ err: failure, requestId: job.data.requestId }, 'could not report a failed job'),
      );
    });
    return worker;
  };
  const workers = createWorkerSet({ queues, logger, create: createWorker });
  const wantedWorkers = (next: SwitchyardConfig, names: string[]) => new Map(names.map((name) => [name, workerSettingsOf(next, name, options)]));
  await workers.apply(wantedWorkers(config, providers));

  // A reload: a new generation for the jobs that start from now on, and the Workers brought in
  // line (started, resized, replaced or closed), one reload after the other.
  let following = Promise.resolve();
  const stopFollowing = live.onChange((next) => {
    const retired = generation;
    const names = selectedProviders(next, options.providers);
    generation = createWorkerGeneration(shared, next, names, retired);
    void retired.retire();
    following = following
      .then(() => workers.apply(wantedWorkers(next, names)))
      .catch((error: unknown) => logger.error({ err: error }, 'could not bring the workers in line with the reloaded config'));
  });

  // Cancellation reaches whichever worker runs the job.
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === cancelChannel(prefix)) for (const worker of workers.all()) worker.cancelJob(message, 'cancelled by the client');
    const adapter = channel === providerModelsRefreshChannel(prefix) ? generation.adapters.get(message) : undefined;
    if (adapter) void refreshProviderModels({ redis, prefix, logger, provider: message, adapter }).catch(() => undefined);
  });
  await subscriber.subscribe(cancelChannel(prefix), providerModelsRefreshChannel(prefix));
  logger.info({ providers, concurrency: options.concurrency ?? 'per provider' }, 'workers started');

  return {
    get providers() {
      return workers.providers();
    },
    async stop() {
      stopFollowing();
      await following;
      // BullMQ's close fetches no new job and waits for the active ones (locks still renewed,
      // stream parts still relayed, cancels still heard); only then do the connections close.
      const drainStartedAt = Date.now();
      logger.info({ providers: workers.providers() }, 'workers draining: taking no new jobs, finishing the ones held');
      await workers.close();
      logger.info({ durationMs: Date.now() - drainStartedAt }, 'workers drained: every job held was finished');
      await generation.retire();
      await queues.close();
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * What BullMQ keeps of an outcome: a sync job is removed as it completes, but BullMQ still
 * copies its return value into the queue's event stream. Its caller already has the output
 * (the reply carried it) and the ledger keeps it, so that copy goes without it.
 */
function returnValueOf(data: InferenceJobData, outcome: JobOutcome): JobOutcome {
  if (data.mode !== 'sync' || !data.replyTo || outcome.output === undefined) return outcome;
  const { output: _output, ...kept } = outcome;
  return kept;
}
