import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type DeadLetterReason = 'invalid' | 'unwritable';

export type LedgerMetrics = {
  registry: Registry;
  /** Entries moved to the dead-letter stream: `invalid` never parsed, `unwritable` kept failing to write. */
  deadLetters: Counter<'reason'>;
  /** Entries per batch read from the stream and written (one transaction when none is refused). */
  batchEntries: Histogram;
  /**
   * Makes `switchyard_ledger_lag` read `count` at scrape time (a running ledger's stream
   * backlog); returns the function that stops it, for the ledger's `stop()`.
   */
  watchLag(count: () => Promise<number>): () => void;
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

  const batchEntries = new Histogram({
    name: 'switchyard_ledger_batch_entries',
    help: 'Ledger entries per batch written to Postgres (one transaction unless the database refuses one of them)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });

  // Ledgers of one process read the same stream; the gauge reports what they see.
  const counters = new Set<() => Promise<number>>();
  new Gauge({
    name: 'switchyard_ledger_lag',
    help: 'Ledger stream entries not yet written to Postgres (never read, or read and not acknowledged)',
    registers: [registry],
    async collect() {
      const counts = await Promise.all([...counters].map((count) => count().catch(() => undefined)));
      const known = counts.filter((value): value is number => value !== undefined);
      // Redis unreachable: the last value stays, and the scrape still answers.
      if (known.length > 0) this.set(Math.max(...known));
    },
  });

  return {
    registry,
    deadLetters,
    batchEntries,
    watchLag(count) {
      counters.add(count);
      return () => void counters.delete(count);
    },
  };
}
