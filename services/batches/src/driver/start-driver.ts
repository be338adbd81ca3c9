import { asLiveConfig, type LiveConfig, type SwitchyardConfig } from '@switchyard/config';
import { batchNudgeChannel, createInferenceQueues } from '@switchyard/queue';
import { Registry } from 'prom-client';
import { activeBatchStatuses } from '../batch-record.ts';
import type { BatchEngineDeps } from '../types.ts';
import { registerBatchLineMetrics } from './batch-line-metrics.ts';
import { tryLockBatch } from './batch-lock.ts';
import { stepBatch } from './step-batch.ts';

export type BatchDriver = { stop(): Promise<void> };

/** How long a driver's hold on a batch lasts without renewal (a killed driver's batch waits this long); renewed every third of it while a step runs. */
const lockTtlMs = 5000;

/**
 * The batch driver: every `batches.tickMs` (and at once when nudged on create or cancel) it
 * takes a step of every active batch, each batch under its own Redis lock, concurrently, so a
 * long validation never holds up another batch's feeding. All of its state is in Postgres
 * (lines, counts) and Redis (the queued jobs, by deterministic id), so a driver started after
 * a crash simply carries on. Runs inside `ledger` and `all`; its metrics go on `registry`
 * (the process's; a new one otherwise).
 */
export async function startBatchDriver(
  options: Omit<BatchEngineDeps, 'config'> & { config: SwitchyardConfig | LiveConfig; registry?: Registry },
): Promise<BatchDriver> {
  // A LiveConfig's reloads (batches.*, providers' attempts) are taken at the next step.
  const live = asLiveConfig(options.config);
  const depsNow = (): BatchEngineDeps => ({ ...options, config: live.current() });
  const deps = depsNow();
  const prefix = deps.config.redis.prefix;
  const logger = deps.logger.child({ component: 'batch-driver' });
  const queues = createInferenceQueues({ connection: deps.redis, prefix });
  const subscriber = deps.redis.duplicate();
  subscriber.on('error', (error) => logger.warn({ err: error }, 'batch driver subscriber connection error'));
  let wake: (() => void) | undefined;
  subscriber.on('message', () => wake?.());
  await subscriber.subscribe(batchNudgeChannel(prefix));
  registerBatchLineMetrics(options.registry ?? new Registry(), deps.db);

  const running = new Map<string, Promise<void>>();
  const lastInspected = new Map<string, number>();
  let stopping = false;

  const step = async (batchId: string) => {
    const deps = depsNow();
    const lock = await tryLockBatch(deps.redis, prefix, batchId, lockTtlMs);
    if (!lock) return;
    const renewal = setInterval(() => void lock.extend().catch(() => {}), lockTtlMs / 3);
    try {
      const batch = await deps.db.selectFrom('batches').selectAll().where('id', '=', batchId).executeTakeFirst();
      if (!batch || !(activeBatchStatuses as readonly string[]).includes(batch.status)) return;
      const inspectQueued = Date.now() - (lastInspected.get(batchId) ?? 0) >= deps.config.batches.checkQueuedEveryMs;
      if (inspectQueued) lastInspected.set(batchId, Date.now());
      await stepBatch({ deps: { ...deps, logger }, queues, lock, inspectQueued }, batch);
    } catch (error) {
      logger.error({ err: error, batchId }, 'batch step failed; retried at the next tick');
    } finally {
      clearInterval(renewal);
      await lock.release().catch(() => {});
    }
  };

  const tick = async () => {
    const active = await deps.db.selectFrom('batches').select('id').where('status', 'in', activeBatchStatuses).orderBy('created_at').execute();
    for (const { id } of active) {
      if (running.has(id)) continue;
      running.set(
        id,
        step(id).finally(() => running.delete(id)),
      );
    }
    for (const id of lastInspected.keys()) if (!active.some((batch) => batch.id === id)) lastInspected.delete(id);
  };

  const loop = (async () => {
    while (!stopping) {
      try {
        await tick();
      } catch (error) {
        logger.error({ err: error }, 'batch driver tick failed');
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, live.current().batches.tickMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();
  logger.info({ maxQueuedLines: deps.config.batches.maxQueuedLines, tickMs: deps.config.batches.tickMs }, 'batch driver started');

  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await Promise.allSettled(running.values());
      await subscriber.quit().catch(() => subscriber.disconnect());
      await queues.close();
    },
  };
}
