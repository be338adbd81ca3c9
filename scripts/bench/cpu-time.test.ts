import { describe, expect, it } from 'vitest';
import { cpuMilliseconds, parseCpuTicks } from './cpu-time.ts';

describe('parseCpuTicks', () => {
  it('adds utime and stime, counting fields after a command name with spaces and parentheses', () => {
    const line = '2205 (redis (x) server) S 1 2205 2205 0 -1 4194560 2400 0 0 0 311 97 0 0 20 0 5 0 1897 91648000 5475 18446744073709551615';
    expect(parseCpuTicks(line)).toBe(311 + 97);
  });

  it('refuses a line it cannot read', () => {
    expect(() => parseCpuTicks('12 (node) S 1')).toThrow(/unreadable/);
  });
});

describe('cpuMilliseconds', () => {
  it('grows while this process burns CPU', () => {
    const before = cpuMilliseconds(process.pid);
    // Burn 100 ms of CPU as the kernel counts it, not of wall time: on a busy machine a
    // wall-clock burn may get only a few ms of CPU.
    const start = process.cpuUsage();
    const burnedMs = () => {
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1000;
    };
    while (burnedMs() < 100) Math.sqrt(Math.random());
    expect(cpuMilliseconds(process.pid) - before).toBeGreaterThanOrEqual(30);
  });
});
