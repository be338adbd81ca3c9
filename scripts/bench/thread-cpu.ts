// CPU time of one process by thread, from /proc/<pid>/task/<tid>/stat: which thread of `all`
// (the main thread, provider worker threads, V8's helpers, libuv's pool) costs what.
import { readdirSync, readFileSync } from 'node:fs';
import { parseCpuTicks, ticksToMilliseconds } from './cpu-time.ts';

/** The thread's name from its stat line (field 2, in parentheses), as the kernel keeps it (15 characters). */
export function threadNameOf(statLine: string): string {
  return statLine.slice(statLine.indexOf('(') + 1, statLine.lastIndexOf(')'));
}

// Node names its threads: MainThread, V8Worker (GC, compiler), libuv-worker (fs, dns, crypto);
// a worker_threads Worker gets its `name` option (else WorkerThread).
const readableNames: Record<string, string> = { MainThread: 'main thread', V8Worker: 'V8 helpers (GC, compiler)', 'libuv-worker': 'libuv pool' };

export const exitedThreads = 'threads that exited';

/** CPU ms per thread id now, with each thread's name. */
export function threadCpu(pid: number): Map<number, { name: string; ms: number }> {
  const threads = new Map<number, { name: string; ms: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const line = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      threads.set(Number(tid), { name: threadNameOf(line), ms: ticksToMilliseconds(parseCpuTicks(line)) });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return threads;
}

/**
 * CPU ms used per thread name between two readings. A thread started in between counts
 * from zero; what threads that ended in between used is the process's total less the rest.
 */
export function threadCpuDelta(
  before: Map<number, { name: string; ms: number }>,
  after: Map<number, { name: string; ms: number }>,
  processDeltaMs: number,
): Record<string, number> {
  const byName: Record<string, number> = {};
  let accounted = 0;
  for (const [tid, thread] of after) {
    const delta = thread.ms - (before.get(tid)?.ms ?? 0);
    const name = readableNames[thread.name] ?? thread.name;
    byName[name] = (byName[name] ?? 0) + delta;
    accounted += delta;
  }
  const rest = processDeltaMs - accounted;
  // Clock ticks round per thread: only a real remainder is shown.
  if (rest > 10) byName[exitedThreads] = rest;
  return byName;
}
