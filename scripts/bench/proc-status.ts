import { readFileSync } from 'node:fs';

export type ProcessMemory = {
  /** Resident set size now (VmRSS), in MB. */
  rssMb: number;
  /** The highest resident set size so far (VmHWM), in MB. */
  peakRssMb: number;
};

/** VmRSS and VmHWM from the text of /proc/<pid>/status (the kernel writes them in kB). */
export function parseProcStatus(text: string): ProcessMemory {
  const kilobytes = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!match) throw new Error(`no ${field} line in /proc status`);
    return Number(match[1]);
  };
  return { rssMb: kilobytes('VmRSS') / 1024, peakRssMb: kilobytes('VmHWM') / 1024 };
}

export function processMemory(pid: number): ProcessMemory {
  return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}
