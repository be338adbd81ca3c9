import { Counter, Gauge, type Registry } from 'prom-client';

export type EvaluatorMetrics = ReturnType<typeof createEvaluatorMetrics>;

/** The evaluator's own Prometheus metrics: who leads, how often it evaluates, what it notified. */
export function createEvaluatorMetrics(registry: Registry) {
  return {
    leader: new Gauge({ name: 'switchyard_alerts_leader', help: '1 while this process is the alert evaluator (the leader), else 0', registers: [registry] }),
    evaluations: new Counter({
      name: 'switchyard_alert_evaluations_total',
      help: 'Alert rule evaluations run by this process, by outcome (ok, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'switchyard_alert_notifications_total',
      help: 'Alert notifications sent (log) or queued for delivery (webhook), by event type and channel',
      labelNames: ['type', 'channel'],
      registers: [registry],
    }),
  };
}
