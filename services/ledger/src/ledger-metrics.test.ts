import { describe, expect, it } from 'vitest';
import { createLedgerMetrics } from './ledger-metrics.ts';

const lagOf = async (metrics: ReturnType<typeof createLedgerMetrics>) => {
  const text = await metrics.registry.metrics();
  const match = /^switchyard_ledger_lag (\S+)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
};

describe('ledger lag gauge', () => {
  it('reads the backlog at scrape time, from whichever ledgers of the process are running', async () => {
    const metrics = createLedgerMetrics();
    let backlog = 7;
    const stopFirst = metrics.watchLag(async () => backlog);
    expect(await lagOf(metrics)).toBe(7);
    backlog = 2;
    expect(await lagOf(metrics)).toBe(2);
    const stopSecond = metrics.watchLag(async () => 5);
    expect(await lagOf(metrics)).toBe(5);
    stopSecond();
    expect(await lagOf(metrics)).toBe(2);
    stopFirst();
  });

  it('keeps the last value and still answers the scrape when the backlog cannot be read', async () => {
    const metrics = createLedgerMetrics();
    let reachable = true;
    metrics.watchLag(async () => {
      if (!reachable) throw new Error('connection refused');
      return 4;
    });
    expect(await lagOf(metrics)).toBe(4);
    reachable = false;
    expect(await lagOf(metrics)).toBe(4);
    expect(await metrics.registry.metrics()).toContain('switchyard_ledger_dead_letters_total{reason="invalid"} 0');
  });
});
