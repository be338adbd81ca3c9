import { Counter, Registry } from 'prom-client';

export type DeadLetterReason = 'invalid' | 'unwritable';

export type LedgerMetrics = {
  registry: Registry;
  /** Entries moved to the dead-letter stream: `invalid` never parsed, `unwritable` kept failing to write. */
  deadLetters: Counter<'reason'>;
};

/**
 * The ledger's Prometheus metrics, on `registry` (a fresh one by default) so the process
 * that runs the ledger can serve them next to its own.
 */
export function createLedgerMetrics(registry: Registry = new Registry()): LedgerMetrics {
  const deadLetters = new Counter({
    name: 'switchyard_ledger_dead_letters_total',
    help: 'Ledger entries moved to the dead-letter stream, by reason (invalid, unwritable)',
    labelNames: ['reason'],
    registers: [registry],
  });
  // Both series exist from the start, so an alert on their rate sees a zero, not a gap.
  for (const reason of ['invalid', 'unwritable'] satisfies DeadLetterReason[]) deadLetters.inc({ reason }, 0);
  return { registry, deadLetters };
}
