import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * utime + stime in clock ticks from a /proc/<pid>/stat line (fields 14 and 15). The
 * command name (field 2) is in parentheses and may hold spaces, so fields are counted
 * from the last ')'.
 */
export function parseCpuTicks(statLine: string): number {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc stat line: ${statLine}`);
  return utime + stime;
}

export function ticksToMilliseconds(ticks: number): number {
  return (ticks * 1000) / clockTicks();
}

/** CPU time (user + system, every thread) a process has used so far, in ms. */
export function cpuMilliseconds(pid: number): number {
  return ticksToMilliseconds(parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')));
}

/** Summed CPU ms of a set of processes; call `elapsed()` for the ms used since `start`. */
export function cpuMeter(pids: number[]): { elapsed(): number } {
  const start = pids.map(cpuMilliseconds);
  return {
    elapsed: () => pids.reduce((sum, pid, index) => sum + cpuMilliseconds(pid) - start[index]!, 0),
  };
}
