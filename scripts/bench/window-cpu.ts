import { cpuMeter } from './cpu-time.ts';
import { foreignCpuMeter } from './machine-cpu.ts';

/** CPU ms used during one measured window: per role of the target, per helper, and by every other process. */
export type WindowCpu = { byRole: Record<string, number>; helpers: Record<string, number>; other: number };

/**
 * Starts the meters of a window. `own` lists every pid the bench started (so the rest of
 * the machine's busy time counts as someone else's).
 */
export function startWindowCpu(processes: Record<string, number>, helpers: Record<string, number>, own: number[]): { stop(): WindowCpu } {
  const meter = (pids: Record<string, number>) => Object.entries(pids).map(([role, pid]) => [role, cpuMeter([pid])] as const);
  const roleMeters = meter(processes);
  const helperMeters = meter(helpers);
  const foreign = foreignCpuMeter(own);
  return {
    stop: () => ({
      byRole: Object.fromEntries(roleMeters.map(([role, cpu]) => [role, cpu.elapsed()])),
      helpers: Object.fromEntries(helperMeters.map(([role, cpu]) => [role, cpu.elapsed()])),
      other: foreign.elapsed(),
    }),
  };
}

/** Adds `addition` into `total`, key by key. */
export function addInto(total: Record<string, number>, addition: Record<string, number>): void {
  for (const [key, value] of Object.entries(addition)) total[key] = (total[key] ?? 0) + value;
}
