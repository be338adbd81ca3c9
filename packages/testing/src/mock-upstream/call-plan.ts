// Decides, per call, how a mock upstream answers: from the model's behavior, its failure
// counter and the seeded PRNG.
import { createPrng } from '@switchyard/core';
import type { MockBehavior } from './types.ts';

export type StatusFailure = {
  kind: 'status';
  status: number;
  errorType?: string;
  errorMessage?: string;
  retryAfterSeconds?: number;
  retryAfterMs?: number;
};

export type CallFailure = StatusFailure | { kind: 'stall' } | { kind: 'garbage' } | { kind: 'cut'; afterTokens: number };

export type CallPlan = { behavior: MockBehavior; latencyMs: number; failure: CallFailure | undefined };

export type BehaviorBook = {
  behave(model: string, behavior: MockBehavior): void;
  reset(): void;
  plan(model: string): CallPlan;
};

export function createBehaviorBook(seed: number): BehaviorBook {
  const behaviors = new Map<string, MockBehavior>();
  const failures = new Map<string, number>();
  let random = createPrng(seed);

  function configuredFailure(behavior: MockBehavior): CallFailure | undefined {
    if (behavior.stall) return { kind: 'stall' };
    if (behavior.garbage) return { kind: 'garbage' };
    if (behavior.status !== undefined) {
      const { status, errorType, errorMessage, retryAfterSeconds, retryAfterMs } = behavior;
      return { kind: 'status', status, errorType, errorMessage, retryAfterSeconds, retryAfterMs };
    }
    if (behavior.failAfterTokens !== undefined) return { kind: 'cut', afterTokens: behavior.failAfterTokens };
    // failTimes alone means "fail like a server would": a plain 500.
    if (behavior.failTimes !== undefined) return { kind: 'status', status: 500 };
    return undefined;
  }

  return {
    behave(model, behavior) {
      behaviors.set(model, behavior);
      failures.delete(model);
    },
    reset() {
      behaviors.clear();
      failures.clear();
      random = createPrng(seed);
    },
    plan(model) {
      const key = behaviors.has(model) ? model : '*';
      const behavior = behaviors.get(key) ?? {};
      const latencyMs = (behavior.latencyMs ?? 0) + (behavior.latencyJitterMs ? random() * behavior.latencyJitterMs : 0);
      let failure = configuredFailure(behavior);
      if (failure && behavior.failTimes !== undefined) {
        const failed = failures.get(key) ?? 0;
        if (failed >= behavior.failTimes) failure = undefined;
        else failures.set(key, failed + 1);
      }
      if (!failure && behavior.errorRate && random() < behavior.errorRate) failure = { kind: 'status', status: 500, errorMessage: 'chaos: injected failure' };
      if (!failure && behavior.stallRate && random() < behavior.stallRate) failure = { kind: 'stall' };
      return { behavior, latencyMs, failure };
    },
  };
}
