import { chaosSchema } from '@switchyard/config';
import { createPrng } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { decideFault } from './fault-injection.ts';

const target = { provider: 'openai', model: 'gpt-4o' };
const settingsOf = (value: unknown) => chaosSchema.parse(value);

/** How often each outcome came out of `draws` decisions with one seeded sequence. */
function tally(settings: ReturnType<typeof settingsOf>, draws: number, seed = 42, on = target) {
  const random = createPrng(seed);
  const counts: Record<string, number> = { none: 0 };
  for (let index = 0; index < draws; index++) {
    const rule = decideFault(settings, on, random);
    const key = rule ? `${rule.type}${rule.status ?? ''}` : 'none';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Four standard deviations of a binomial count either side of its mean. */
const within = (count: number, draws: number, probability: number) => {
  const spread = 4 * Math.sqrt(draws * probability * (1 - probability));
  expect(count).toBeGreaterThanOrEqual(draws * probability - spread);
  expect(count).toBeLessThanOrEqual(draws * probability + spread);
};

describe('decideFault', () => {
  it('is off by default and when disabled, whatever the rules say', () => {
    expect(chaosSchema.parse({})).toEqual({ enabled: false, rules: [] });
    const rules = [{ type: 'error', probability: 1 }];
    expect(tally(settingsOf({ rules }), 1000)).toEqual({ none: 1000 });
    expect(tally(settingsOf({ enabled: false, rules }), 1000)).toEqual({ none: 1000 });
  });

  it('fires a rule at its probability, within statistical bounds', () => {
    const draws = 20_000;
    const counts = tally(settingsOf({ enabled: true, rules: [{ type: 'error', status: 503, probability: 0.3 }] }), draws);
    within(counts.error503 ?? 0, draws, 0.3);
    expect((counts.error503 ?? 0) + counts.none!).toBe(draws);
  });

  it('gives later rules the calls earlier ones left: P(second) = (1 - p1) * p2', () => {
    const draws = 20_000;
    const settings = settingsOf({
      enabled: true,
      rules: [
        { type: 'delay', duration_ms: 10, probability: 0.2 },
        { type: 'stall', probability: 0.5 },
      ],
    });
    const counts = tally(settings, draws, 7);
    within(counts.delay ?? 0, draws, 0.2);
    within(counts.stall ?? 0, draws, 0.8 * 0.5);
  });

  it('applies a rule only to its provider and model', () => {
    const settings = settingsOf({ enabled: true, rules: [{ provider: 'openai', model: 'gpt-4o-mini', type: 'error', probability: 1 }] });
    expect(tally(settings, 100)).toEqual({ none: 100 });
    expect(tally(settings, 100, 1, { provider: 'openai', model: 'gpt-4o-mini' })).toEqual({ none: 0, error: 100 });
    expect(tally(settings, 100, 1, { provider: 'anthropic', model: 'gpt-4o-mini' })).toEqual({ none: 100 });
  });

  it('is reproducible with a seed', () => {
    const settings = settingsOf({ enabled: true, rules: [{ type: 'error', probability: 0.5 }] });
    const sequence = (seed: number) => {
      const random = createPrng(seed);
      return Array.from({ length: 50 }, () => decideFault(settings, target, random)?.type ?? '-').join('');
    };
    expect(sequence(123)).toBe(sequence(123));
    expect(sequence(123)).not.toBe(sequence(124));
  });
});
