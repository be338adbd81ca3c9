import type { RedisConnection } from '@switchyard/queue';
import type { Registry } from 'prom-client';
import { newId } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/config';
import { ensureBuiltinAlertRules, type Database, type Kysely } from '@switchyard/db';
import type { Logger } from '@switchyard/logger';
import { createProcessRegistry } from '@switchyard/observability';
import { alertLeaderKey, webhookNudgeChannel } from '@switchyard/queue';
import { builtinAlertRules } from './builtin-rules.ts';
import { evaluateRules } from './evaluate-rules.ts';
import { createEvaluatorMetrics, type EvaluatorMetrics } from './evaluator-metrics.ts';
import { createLeaderLease } from './leader-lease.ts';
import { createRuleMetricReader } from './rule-metrics-reader.ts';

export type AlertsDeps = {
  config: SwitchyardConfig;
  db: Kysely<Database>;
  /** A commands connection; the caller closes it after `stop()`. */
  redis: RedisConnection;
  logger: Logger;
  /** The process registry its metrics go on (the process's other services share it); a new one otherwise. */
  registry?: Registry;
  /** Evaluation interval; `alerts.evaluateIntervalMs` by default. */
  intervalMs?: number;
};

export type RunningAlerts = { metrics: EvaluatorMetrics | undefined; stop(): Promise<void> };

/**
 * The alert evaluator. Any number may run; one leads at a time through a lease in Redis
 * (`alertLeaderKey`: SET NX PX, renewed every third of `alerts.leaderLeaseMs`, released on
 * stop), and only the leader evaluates, every `intervalMs`. The others try to take the
 * lease at each tick, so a dead leader is replaced within the lease. The built-in rules are
 * created at start when missing. Off (`alerts.enabled: false`): nothing runs.
 */
export async function startAlerts(deps: AlertsDeps): Promise<RunningAlerts> {
  const { config, db, redis } = deps;
  const logger = deps.logger.child({ component: 'alerts' });
  if (!config.alerts.enabled) {
    logger.info('alerts disabled (alerts.enabled is false): no rules are evaluated here');
    return { metrics: undefined, stop: async () => {} };
  }
  const intervalMs = deps.intervalMs ?? config.alerts.evaluateIntervalMs;
  const leaseMs = config.alerts.leaderLeaseMs;
  const prefix = config.redis.prefix;
  const metrics = createEvaluatorMetrics(deps.registry ?? createProcessRegistry());
  const created = await ensureBuiltinAlertRules(db, builtinAlertRules, config.encryptionKey);
  if (created > 0) logger.info({ created }, 'built-in alert rules created');
  const reader = createRuleMetricReader({ config, db, redis });
  const lease = createLeaderLease({ redis, key: alertLeaderKey(prefix), holder: newId('alerts', 16), leaseMs });

  let stopping = false;
  let leading = false;
  let wake: (() => void) | undefined;

  // One hold at a time (the loop's and the renewal's), so stop() can wait for it before releasing.
  let holding: Promise<void> | undefined;
  const hold = (): Promise<void> => {
    holding ??= holdOnce().finally(() => {
      holding = undefined;
    });
    return holding;
  };
  const holdOnce = async (): Promise<void> => {
    const was = leading;
    leading = await lease.hold().catch((error: unknown) => {
      if (was) logger.warn({ err: error }, 'could not renew the alert leader lease');
      return false;
    });
    metrics.leader.set(leading ? 1 : 0);
    if (leading !== was) logger.info({ leading }, leading ? 'alert evaluator leads: evaluating rules' : 'alert evaluator no longer leads');
  };
  // Renewed apart from the loop, so a slow evaluation does not let the lease lapse.
  const renewal = setInterval(() => void (leading && !stopping ? hold() : undefined), Math.max(100, Math.floor(leaseMs / 3)));
  renewal.unref();

  const evaluate = async (): Promise<void> => {
    try {
      const result = await evaluateRules({ db, reader, logger, metrics }, new Date());
      metrics.evaluations.inc({ outcome: 'ok' });
      if (result.fired > 0 || result.resolved > 0) logger.debug(result, 'alerts evaluated');
      if (result.webhookNotices > 0)
        await redis.publish(webhookNudgeChannel(prefix), '1').catch((error: unknown) => logger.warn({ err: error }, 'could not nudge the webhooks service'));
    } catch (error) {
      metrics.evaluations.inc({ outcome: 'failed' });
      logger.error({ err: error }, 'alert evaluation failed; trying again at the next interval');
    }
  };

  const loop = (async () => {
    while (!stopping) {
      await hold();
      if (leading && !stopping) await evaluate();
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();
  logger.info({ intervalMs, leaseMs }, 'alert evaluator started');

  return {
    metrics,
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      clearInterval(renewal);
      await holding;
      if (leading) await lease.release().catch(() => {});
      leading = false;
      metrics.leader.set(0);
      await reader.close();
    },
  };
}
