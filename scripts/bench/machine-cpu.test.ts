import { describe, expect, it } from 'vitest';
import { ticksToMilliseconds } from './cpu-time.ts';
import { machineBusyMilliseconds } from './machine-cpu.ts';

describe('machineBusyMilliseconds', () => {
  it('counts user, nice, system, irq, softirq and steal, not idle or iowait', () => {
    const stat = 'cpu  1000 20 300 99999 888 4 5 6 0 0\ncpu0 500 10 150 50000 444 2 2 3 0 0\n';
    expect(machineBusyMilliseconds(stat)).toBe(ticksToMilliseconds(1000 + 20 + 300 + 4 + 5 + 6));
  });
});
