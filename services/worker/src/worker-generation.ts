import type { InferenceJobData, JobOutcome } from '@switchyard/core';
import type { RedisConnection } from '@switchyard/queue';
import type { AttemptEvent } from './process-inference-job.ts';
import { enabledProviders, routesFor, type SwitchyardConfig } from '@switchyard/config';
import type { Logger } from '@switchyard/logger';
import { createProvider, type ProviderAdapter, type ProviderDependencies } from '@switchyard/providers';
import { createCircuitBreakers, type CircuitBreakers, type InferenceQueues, type TokenBatchAppender } from '@switchyard/queue';
import type { FaultInjector } from './fault-injection.ts';
import { createLedgerEmitter } from './ledger-emitter.ts';
import { createInferenceProcessor } from './process-inference-job.ts';

type LedgerEmitter = ReturnType<typeof createLedgerEmitter>;

/** What every generation of one worker process shares. */
export type SharedWorkerParts = {
  redis: RedisConnection;
  queues: InferenceQueues;
  appender: TokenBatchAppender;
  logger: Logger;
  dispatcher?: ProviderDependencies['dispatcher'];
  /** Chaos rules, one PRNG and one view of the admin switch per process. */
  faults?: FaultInjector;
  /** Every finished attempt, with the ledger emitter (and so the prices) of the generation that ran it. */
  onAttemptFinished: (event: AttemptEvent, ledger: LedgerEmitter) => Promise<void>;
  /** Every finished job (not a forward), with the ledger emitter of the generation that ran it. */
  onFinished: (data: InferenceJobData, outcome: JobOutcome, ledger: LedgerEmitter) => Promise<void>;
};

/**
 * The worker built on one config: provider adapters, breakers with that config's settings,
 * the ledger emitter (prices) and the job processor. A job runs on the generation current
 * when it starts, to its end; a reload builds a new one and retires the old once its jobs
 * are done.
 */
export type WorkerGeneration = {
  config: SwitchyardConfig;
  adapters: Map<string, ProviderAdapter>;
  ledger: LedgerEmitter;
  processInferenceJob: ReturnType<typeof createInferenceProcessor>;
  /** Settles once the breakers have read their shared state. */
  ready: Promise<void>;
  /** Runs one job's work on this generation, counted until it settles. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Closes the breakers once the jobs it runs are done. */
  retire(): Promise<void>;
};

/** The providers a worker process consumes under a config: the named ones (or every one, for 'all') that are enabled. */
export function selectedProviders(config: SwitchyardConfig, wanted: string[] | 'all'): string[] {
  const enabled = enabledProviders(config).map((provider) => provider.name);
  return wanted === 'all' ? enabled : wanted.filter((name) => enabled.includes(name));
}

export function createWorkerGeneration(
  shared: SharedWorkerParts,
  config: SwitchyardConfig,
  providers: string[],
  previous?: WorkerGeneration,
): WorkerGeneration {
  const adapters = new Map<string, ProviderAdapter>();
  for (const name of providers) {
    const provider = config.providers[name]!;
    // An adapter whose provider settings did not move is kept (and its connections with it).
    const kept = previous && JSON.stringify(previous.config.providers[name]) === JSON.stringify(provider) ? previous.adapters.get(name) : undefined;
    adapters.set(name, kept ?? createProvider(provider, { dispatcher: shared.dispatcher }));
  }
  const breakers: CircuitBreakers = createCircuitBreakers({
    redis: shared.redis,
    prefix: config.redis.prefix,
    settings: Object.fromEntries(providers.map((name) => [name, config.providers[name]!.breaker])),
    deployments: Object.values(config.models).flatMap((model) => routesFor(config, model)),
    onTransition: (transition) =>
      shared.logger.warn(transition, `circuit breaker ${transition.provider}/${transition.model}: ${transition.from} -> ${transition.to}`),
  });
  const ledger = createLedgerEmitter({ redis: shared.redis, prefix: config.redis.prefix, config });
  const processInferenceJob = createInferenceProcessor({
    config,
    adapters,
    redis: shared.redis,
    appender: shared.appender,
    queues: shared.queues,
    breakers,
    logger: shared.logger,
    ...(shared.faults ? { faults: shared.faults } : {}),
    onAttemptFinished: (event) => shared.onAttemptFinished(event, ledger),
    onFinished: (data, outcome) => shared.onFinished(data, outcome, ledger),
  });

  let running = 0;
  let drained: (() => void) | undefined;
  return {
    config,
    adapters,
    ledger,
    processInferenceJob,
    ready: breakers.refresh(),
    async run(work) {
      running += 1;
      try {
        return await work();
      } finally {
        running -= 1;
        if (running === 0) drained?.();
      }
    },
    async retire() {
      if (running > 0) await new Promise<void>((resolve) => (drained = resolve));
      breakers.close();
    },
  };
}
