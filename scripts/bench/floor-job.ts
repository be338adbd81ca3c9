// The floor's job and the messages between the bench and the floor producer process.
import type { LoopOutcome } from './closed-loop.ts';

/** A job as small as a chat request: who to answer, and how long the worker "calls the upstream". */
export type FloorJob = {
  requestId: string;
  replyTo: string;
  delayMs: number;
  model: string;
  messages: Array<{ role: string; content: string }>;
};

/** bench -> producer: run one closed-loop round. */
export type FloorRun = { concurrency: number; warmupMs: number; durationMs: number; delayMs: number };

/** producer -> bench, in this order: ready, then per round window start, window end, outcome. */
export type FloorMessage = { ready: true } | { window: 'start' | 'end' } | { outcome: LoopOutcome } | { error: string };
