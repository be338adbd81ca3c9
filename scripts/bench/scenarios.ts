import type { MockBehavior } from '@switchyard/testing';

/**
 * A figure of a Switchyard target (the goal's subject), most against another target of the same
 * run: the pass-through unless the name says floor, Portkey or split; `cpuMsPerRequest`,
 * `completedShare`, `rssKbPerStream` and `rssAfterMb` are the subject's own.
 */
export type Metric =
  | 'addedP50Ms'
  | 'throughputRatio'
  | 'throughputRatioToPortkey'
  | 'throughputRatioToSplit'
  | 'addedFirstTokenP50Ms'
  | 'addedFirstTokenP99Ms'
  | 'tokensPerSecondRatio'
  | 'cpuMsPerRequest'
  | 'cpuAboveFloorMs'
  | 'completedShare'
  | 'rssKbPerStream'
  | 'rssAfterMb';

/** A target from the issues: the metric must stay at most `max` or at least `min`, for each subject. */
export type Goal = { metric: Metric; subjects: SwitchyardTarget[]; max?: number; min?: number };

/** The Switchyard targets (targets.ts names them all). */
export type SwitchyardTarget = 'switchyard-all' | 'switchyard-split';

export type Scenario = {
  id: string;
  title: string;
  concurrency: number;
  /** The model picks the mock upstream's behavior (see upstreamBehaviors). */
  model: string;
  stream: boolean;
  /** Ask for the response cache (`x-switchyard-cache: use`, temperature 0): after the first request, every one is a hit. */
  cache?: boolean;
  /**
   * Not a closed loop: `concurrency` requests sent at once, each once, in one round per target;
   * the figures cover the whole burst (completion, TTFT, tokens/s, RSS per in-flight request).
   */
  burst?: boolean;
  /** A stream is whole with exactly this many content tokens (burst scenarios count only whole ones). */
  expectedTokens?: number;
  /** The bare BullMQ floor applies: its worker answers after this many ms (what the upstream takes). */
  floor?: { workerDelayMs: number };
  goals: Goal[];
};

// One mock upstream serves every scenario; the model in the request selects how it answers.
const instantModel = 'gpt-4o-mini';
const slowModel = 'gpt-4o';
const shortStreamModel = 'gpt-3.5-turbo';
const longStreamModel = 'gpt-4-turbo';
const slowStreamModel = 'gpt-6.1-terra';
const shortStreamTokens = 20;
const longStreamTokens = 200;
const slowStreamTokens = 50;
// Streams are paced like a (fast) model server: one token per write, 1 ms apart. An
// upstream that sent every token in one write would measure how fast a gateway parses a
// burst, not whether it keeps up with a stream and how late the first token arrives.
const tokenDelayMs = 1;
// A real model's pace: 50 tokens over a second, so 2,000 streams are all in flight at once.
const slowTokenDelayMs = 20;
const slowStreams = 2000;

const words = (count: number) => Array.from({ length: count }, (_, index) => `word${index}`).join(' ');

export const upstreamBehaviors: Record<string, MockBehavior> = {
  [slowModel]: { latencyMs: 50 },
  [shortStreamModel]: { text: words(shortStreamTokens), tokenDelayMs },
  [longStreamModel]: { text: words(longStreamTokens), tokenDelayMs },
  [slowStreamModel]: { text: words(slowStreamTokens), tokenDelayMs: slowTokenDelayMs },
};

const all: SwitchyardTarget[] = ['switchyard-all'];
const both: SwitchyardTarget[] = ['switchyard-all', 'switchyard-split'];

export const scenarios: Scenario[] = [
  {
    id: 'c1-instant',
    title: 'concurrency 1, instant upstream',
    concurrency: 1,
    model: instantModel,
    stream: false,
    floor: { workerDelayMs: 0 },
    goals: [{ metric: 'addedP50Ms', subjects: all, max: 1 }],
  },
  {
    id: 'c32-instant',
    title: 'concurrency 32, instant upstream',
    concurrency: 32,
    model: instantModel,
    stream: false,
    floor: { workerDelayMs: 0 },
    goals: [
      { metric: 'throughputRatio', subjects: both, min: 0.35 },
      { metric: 'throughputRatioToPortkey', subjects: both, min: 1 },
      { metric: 'throughputRatioToSplit', subjects: all, min: 1 },
      { metric: 'cpuMsPerRequest', subjects: both, max: 0.45 },
      { metric: 'cpuAboveFloorMs', subjects: both, max: 0.2 },
    ],
  },
  {
    id: 'c64-50ms',
    title: 'concurrency 64, 50 ms upstream',
    concurrency: 64,
    model: slowModel,
    stream: false,
    floor: { workerDelayMs: 50 },
    goals: [
      { metric: 'throughputRatio', subjects: both, min: 0.95 },
      { metric: 'addedP50Ms', subjects: both, max: 3 },
      // VmRSS of the one `all` process right after this scenario.
      { metric: 'rssAfterMb', subjects: all, max: 300 },
    ],
  },
  {
    id: 'stream-c1',
    title: `streams of ${shortStreamTokens} tokens (${tokenDelayMs} ms apart), concurrency 1`,
    concurrency: 1,
    model: shortStreamModel,
    stream: true,
    goals: [{ metric: 'addedFirstTokenP50Ms', subjects: both, max: 2 }],
  },
  {
    id: 'stream-c64',
    title: `64 concurrent streams of ${longStreamTokens} tokens (${tokenDelayMs} ms apart)`,
    concurrency: 64,
    model: longStreamModel,
    stream: true,
    goals: [{ metric: 'tokensPerSecondRatio', subjects: both, min: 0.9 }],
  },
  {
    id: 'streams-2000-slow',
    title: `${slowStreams.toLocaleString('en')} concurrent streams of ${slowStreamTokens} tokens (${slowTokenDelayMs} ms apart, ~1 s each)`,
    concurrency: slowStreams,
    model: slowStreamModel,
    stream: true,
    burst: true,
    expectedTokens: slowStreamTokens,
    goals: [
      { metric: 'completedShare', subjects: both, min: 1 },
      { metric: 'addedFirstTokenP99Ms', subjects: both, max: 25 },
      { metric: 'rssKbPerStream', subjects: both, max: 64 },
    ],
  },
  {
    id: 'c32-cache-hit',
    title: 'concurrency 32, response-cache hits against the 50 ms upstream passed through',
    concurrency: 32,
    model: slowModel,
    stream: false,
    cache: true,
    // A hit makes no upstream call, so it must beat passing the call through.
    goals: [
      { metric: 'throughputRatio', subjects: both, min: 1 },
      { metric: 'addedP50Ms', subjects: both, max: 0 },
    ],
  },
];

/** Request headers a scenario adds to the target's own. */
export function scenarioHeaders(scenario: Scenario): Record<string, string> {
  return scenario.cache ? { 'x-switchyard-cache': 'use' } : {};
}

export function requestBody(scenario: Scenario): string {
  const body: Record<string, unknown> = {
    model: scenario.model,
    messages: [{ role: 'user', content: 'Benchmark request: answer in one short sentence.' }],
  };
  if (scenario.stream) body.stream = true;
  if (scenario.cache) body.temperature = 0;
  return JSON.stringify(body);
}
