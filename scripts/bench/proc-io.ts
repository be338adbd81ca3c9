import { readFileSync } from 'node:fs';

/**
 * System calls of the read and write families a process has made so far (`syscr`, `syscw`
 * of /proc/<pid>/io: read, readv, pread..., write, writev, pwrite..., every thread). Socket
 * traffic on Linux goes through these, so they count what a process reads from and writes
 * to its sockets, call by call. Unlike CPU time, they do not move with how busy the machine is.
 */
export type IoCalls = { reads: number; writes: number };

export function parseProcIo(text: string): IoCalls {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(text);
    if (!match) throw new Error(`no ${name} line in /proc io`);
    return Number(match[1]);
  };
  return { reads: field('syscr'), writes: field('syscw') };
}

export function processIoCalls(pid: number): IoCalls {
  return parseProcIo(readFileSync(`/proc/${pid}/io`, 'utf8'));
}

/** The calls a process made since the meter started. */
export function ioCallsMeter(pid: number): { elapsed(): IoCalls } {
  const start = processIoCalls(pid);
  return {
    elapsed: () => {
      const now = processIoCalls(pid);
      return { reads: now.reads - start.reads, writes: now.writes - start.writes };
    },
  };
}
