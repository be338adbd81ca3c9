import { describe, expect, it } from 'vitest';
import { costUsd, priceVersion } from './pricing.ts';

describe('costUsd for images', () => {
  it('bills each image at the image price, exactly', () => {
    expect(costUsd({ inputTokens: 0, outputTokens: 0, images: 3 }, { input: '0', output: '0', image: '0.04' })).toBe('0.12');
    // 7 × 0.011 in floats is 0.07699999999999999.
    expect(costUsd({ inputTokens: 0, outputTokens: 0, images: 7 }, { input: '0', output: '0', image: '0.011' })).toBe('0.077');
    expect(costUsd({ inputTokens: 0, outputTokens: 0, images: 1 }, { input: '0', output: '0', image: '0.000000001' })).toBe('0.000000001');
  });

  it('adds the images to the tokens a model reports', () => {
    // 1000 × 5 + 2000 × 40 per million = 0.085, plus 2 × 0.042.
    expect(costUsd({ inputTokens: 1000, outputTokens: 2000, images: 2 }, { input: '5', output: '40', image: '0.042' })).toBe('0.169');
  });

  it('bills nothing for images without an image price, and nothing for a price without images', () => {
    expect(costUsd({ inputTokens: 0, outputTokens: 0, images: 4 }, { input: '1', output: '2' })).toBe('0');
    expect(costUsd({ inputTokens: 10, outputTokens: 0 }, { input: '1', output: '2', image: '0.04' })).toBe('0.00001');
  });

  it('refuses an image count that is not a count', () => {
    expect(() => costUsd({ inputTokens: 0, outputTokens: 0, images: -1 }, { input: '0', output: '0', image: '0.04' })).toThrow(RangeError);
    expect(() => costUsd({ inputTokens: 0, outputTokens: 0, images: 1.5 }, { input: '0', output: '0', image: '0.04' })).toThrow(RangeError);
  });
});

describe('priceVersion with an image price', () => {
  it('keeps the id of prices without one and changes with the image price', () => {
    const tokensOnly = priceVersion({ input: '0', output: '0' });
    const withImage = priceVersion({ input: '0', output: '0', image: '0.04' });
    expect(withImage).not.toBe(tokensOnly);
    expect(priceVersion({ input: '0', output: '0', image: '0.040' })).toBe(withImage);
    expect(priceVersion({ input: '0', output: '0', image: '0.08' })).not.toBe(withImage);
  });
});
