import type { MockBehavior } from '@switchyard/testing';

/** A figure compared between the two targets (switchyard against passthrough). */
export type Metric = 'addedP50Ms' | 'throughputRatio' | 'addedFirstTokenP50Ms' | 'tokensPerSecondRatio';

/** A target from the issues: the metric must stay at most `max` or at least `min`. */
export type Goal = { metric: Metric; max?: number; min?: number };

export type Scenario = {
  id: string;
  title: string;
  concurrency: number;
  /** The model picks the mock upstream's behavior (see upstreamBehaviors). */
  model: string;
  stream: boolean;
  /** Ask for the response cache (`x-switchyard-cache: use`, temperature 0): after the first request, every one is a hit. */
  cache?: boolean;
  goals: Goal[];
};

// One mock upstream serves every scenario; the model in the request selects how it answers.
const instantModel = 'gpt-4o-mini';
const slowModel = 'gpt-4o';
const shortStreamModel = 'gpt-3.5-turbo';
const longStreamModel = 'gpt-4-turbo';
const shortStreamTokens = 20;
const longStreamTokens = 200;
// Streams are paced like a (fast) model server: one token per write, 1 ms apart. An
// upstream that sent every token in one write would measure how fast a gateway parses a
// burst, not whether it keeps up with a stream and how late the first token arrives.
const tokenDelayMs = 1;

const words = (count: number) => Array.from({ length: count }, (_, index) => `word${index}`).join(' ');

export const upstreamBehaviors: Record<string, MockBehavior> = {
  [slowModel]: { latencyMs: 50 },
  [shortStreamModel]: { text: words(shortStreamTokens), tokenDelayMs },
  [longStreamModel]: { text: words(longStreamTokens), tokenDelayMs },
};

export const scenarios: Scenario[] = [
  { id: 'c1-instant', title: 'concurrency 1, instant upstream', concurrency: 1, model: instantModel, stream: false, goals: [{ metric: 'addedP50Ms', max: 1 }] },
  {
    id: 'c32-instant',
    title: 'concurrency 32, instant upstream',
    concurrency: 32,
    model: instantModel,
    stream: false,
    goals: [{ metric: 'throughputRatio', min: 0.5 }],
  },
  {
    id: 'c64-50ms',
    title: 'concurrency 64, 50 ms upstream',
    concurrency: 64,
    model: slowModel,
    stream: false,
    goals: [
      { metric: 'throughputRatio', min: 0.9 },
      { metric: 'addedP50Ms', max: 5 },
    ],
  },
  {
    id: 'stream-c1',
    title: `streams of ${shortStreamTokens} tokens (${tokenDelayMs} ms apart), concurrency 1`,
    concurrency: 1,
    model: shortStreamModel,
    stream: true,
    goals: [{ metric: 'addedFirstTokenP50Ms', max: 2 }],
  },
  {
    id: 'stream-c64',
    title: `64 concurrent streams of ${longStreamTokens} tokens (${tokenDelayMs} ms apart)`,
    concurrency: 64,
    model: longStreamModel,
    stream: true,
    goals: [{ metric: 'tokensPerSecondRatio', min: 0.8 }],
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
      { metric: 'throughputRatio', min: 1 },
      { metric: 'addedP50Ms', max: 0 },
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
