import { cpuMeter } from './cpu-time.ts';
import { foreignCpuMeter } from './machine-cpu.ts';
import { ioCallsMeter, type IoCalls } from './proc-io.ts';
import { threadCpu, threadCpuDelta } from './thread-cpu.ts';

/**
 * CPU ms used during one measured window: per role of the target, per helper, by every other
 * process, and per thread name of the target's `threadedRole` process (when it has one); and
 * the read and write system calls of each role of the target.
 */
export type WindowCpu = {
  byRole: Record<string, number>;
  helpers: Record<string, number>;
  other: number;
  byThread?: Record<string, number>;
  ioCallsByRole: Record<string, IoCalls>;
};

/**
 * Starts the meters of a window. `own` lists every pid the bench started (so the rest of
 * the machine's busy time counts as someone else's).
 */
export function startWindowCpu(
  processes: Record<string, number>,
  helpers: Record<string, number>,
  own: number[],
  threadedRole?: string,
): { stop(): WindowCpu } {
  const meter = (pids: Record<string, number>) => Object.entries(pids).map(([role, pid]) => [role, cpuMeter([pid])] as const);
  const roleMeters = meter(processes);
  const ioMeters = Object.entries(processes).map(([role, pid]) => [role, ioCallsMeter(pid)] as const);
  const helperMeters = meter(helpers);
  const foreign = foreignCpuMeter(own);
  const threadedPid = threadedRole === undefined ? undefined : processes[threadedRole];
  const threadsBefore = threadedPid === undefined ? undefined : threadCpu(threadedPid);
  return {
    stop: () => {
      const byRole = Object.fromEntries(roleMeters.map(([role, cpu]) => [role, cpu.elapsed()]));
      const window: WindowCpu = {
        byRole,
        helpers: Object.fromEntries(helperMeters.map(([role, cpu]) => [role, cpu.elapsed()])),
        other: foreign.elapsed(),
        ioCallsByRole: Object.fromEntries(ioMeters.map(([role, calls]) => [role, calls.elapsed()])),
      };
      if (threadsBefore && threadedPid !== undefined) window.byThread = threadCpuDelta(threadsBefore, threadCpu(threadedPid), byRole[threadedRole!] ?? 0);
      return window;
    },
  };
}

/** Adds `addition` into `total`, key by key. */
export function addInto(total: Record<string, number>, addition: Record<string, number>): void {
  for (const [key, value] of Object.entries(addition)) total[key] = (total[key] ?? 0) + value;
}
