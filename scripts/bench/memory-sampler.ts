import { processMemory } from './proc-status.ts';

/** Resident memory of a target's processes over a scenario: before, the peak of their sum, per process at the peak. */
export type MemorySample = { beforeMb: number; peakMb: number; peakByProcessMb: Record<string, number> };

/** Samples the summed VmRSS of `processes` every `intervalMs` until stop(). */
export function sampleMemory(processes: Record<string, number>, intervalMs = 50): { stop(): MemorySample } {
  const read = () => Object.fromEntries(Object.entries(processes).map(([role, pid]) => [role, processMemory(pid).rssMb]));
  const total = (byProcess: Record<string, number>) => Object.values(byProcess).reduce((sum, value) => sum + value, 0);
  const before = read();
  let peak = before;
  const sample = () => {
    const now = read();
    if (total(now) > total(peak)) peak = now;
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { beforeMb: total(before), peakMb: total(peak), peakByProcessMb: peak };
    },
  };
}

/** KB of resident memory each in-flight request cost: (peak - before) / requests. */
export function kilobytesPerRequest(sample: MemorySample, requests: number): number {
  return requests > 0 ? ((sample.peakMb - sample.beforeMb) * 1024) / requests : Number.NaN;
}
