import { startAlerts, type RunningAlerts } from '@switchyard/alerts';
import { createSilentLogger } from '@switchyard/logger';
import { createRedis } from '@switchyard/queue';
import { eventually } from '@switchyard/testing';
import type { RedisConnection } from '@switchyard/queue';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { useGateway } from '../support/use-gateway.ts';

// Two evaluators against one Redis and Postgres (the gateway's, which runs none itself):
// one leads and evaluates, the other waits; stopping the leader hands over at once.
const gateway = useGateway({ workers: false, overrides: { alerts: { evaluateIntervalMs: 100, leaderLeaseMs: 60_000 } } });

const connections: RedisConnection[] = [];
const running: RunningAlerts[] = [];
afterAll(async () => {
  await Promise.all(running.map((alerts) => alerts.stop()));
  await Promise.all(connections.map((connection) => connection.quit()));
});

async function startEvaluator() {
  const redis = createRedis(gateway.redisUrl, { role: 'producer', name: 'alerts-test' });
  connections.push(redis);
  const alerts = await startAlerts({ config: gateway.config, db: gateway.db, redis, logger: createSilentLogger(), registry: new Registry() });
  running.push(alerts);
  const metrics = alerts.metrics!;
  return {
    alerts,
    evaluations: async () => (await metrics.evaluations.get()).values.reduce((sum, sample) => sum + sample.value, 0),
    leads: async () => (await metrics.leader.get()).values[0]?.value === 1,
  };
}

describe('alert evaluator leadership', () => {
  it('lets only one of two evaluators evaluate, and the other take over when it stops', async () => {
    const first = await startEvaluator();
    const second = await startEvaluator();
    const [leader, follower] = await eventually('one evaluator to have evaluated five times', async () => {
      const [a, b] = [await first.evaluations(), await second.evaluations()];
      if (a >= 5) return [first, second];
      if (b >= 5) return [second, first];
      return undefined;
    });
    expect(await leader.leads()).toBe(true);
    expect(await follower.leads()).toBe(false);
    expect(await follower.evaluations()).toBe(0);
    // The lease lasts a minute: only the release on stop lets the follower in this soon.
    await leader.alerts.stop();
    await eventually('the follower to evaluate', async () => (await follower.evaluations()) >= 3);
    expect(await follower.leads()).toBe(true);
    // Both created the built-in rules; they exist once.
    const builtins = await gateway.db.selectFrom('alert_rules').select('id').where('builtin', '=', true).execute();
    expect(builtins).toHaveLength(6);
  });
});
