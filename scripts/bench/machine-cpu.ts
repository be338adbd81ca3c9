import { readFileSync } from 'node:fs';
import { cpuMilliseconds, ticksToMilliseconds } from './cpu-time.ts';

/**
 * Busy CPU ms of the whole machine so far, from the first line of /proc/stat (every field
 * but idle and iowait, counted in clock ticks).
 */
export function machineBusyMilliseconds(statText = readFileSync('/proc/stat', 'utf8')): number {
  const fields = statText.slice(0, statText.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ticksToMilliseconds(user + nice + system + irq + softirq + steal);
}

/**
 * Measures how much CPU processes other than ours used during a window: on a machine
 * shared with other work, that says whether a figure was disturbed.
 */
export function foreignCpuMeter(ownPids: number[]): { elapsed(): number } {
  const ownStart = ownPids.map(cpuMilliseconds);
  const machineStart = machineBusyMilliseconds();
  return {
    elapsed() {
      const own = ownPids.reduce((sum, pid, index) => sum + cpuMilliseconds(pid) - ownStart[index]!, 0);
      return Math.max(0, machineBusyMilliseconds() - machineStart - own);
    },
  };
}
