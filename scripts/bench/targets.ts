import type { LoadResult } from './load-generator.ts';
import type { Scenario } from './scenarios.ts';

/** Everything `pnpm bench` measures, in the order the report reads them. */
export const targetNames = ['passthrough', 'floor', 'portkey', 'switchyard-all', 'switchyard-split'] as const;
export type TargetName = (typeof targetNames)[number];

/** The window hooks and the length of one closed-loop round, for a target that runs its own loop. */
export type LoopOptions = {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  onWindowStart(): void;
  onWindowEnd(): void;
};

/** Something the bench measures: a base URL and its auth header, and the processes whose CPU it costs. */
export type Target = {
  name: TargetName;
  url: string;
  headers: Record<string, string>;
  /** Process id per role (api, worker, redis-server, proxy...): their CPU time is the target's cost. */
  processes: Record<string, number>;
  /** The role whose CPU the report also splits by thread (`all`: main thread, worker threads, V8 helpers). */
  threadedRole?: string;
  /**
   * A target that is no HTTP server (the bare BullMQ floor) runs its own closed loop for the
   * scenarios it applies to; the HTTP load generator drives every other target.
   */
  runLoop?(scenario: Scenario, options: LoopOptions): Promise<LoadResult>;
  /** Whether this target takes part in the scenario (unset: every scenario). */
  serves?(scenario: Scenario): boolean;
  stop(): Promise<void>;
};

/** Parses `--targets a,b`: known names only, in the report's order. */
export function selectTargets(list: string[] | undefined): TargetName[] {
  if (!list) return [...targetNames];
  const unknown = list.filter((name) => !(targetNames as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown target(s) ${unknown.join(', ')}: pick from ${targetNames.join(', ')}`);
  return targetNames.filter((name) => list.includes(name));
}
