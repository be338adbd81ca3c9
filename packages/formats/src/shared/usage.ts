import type { Usage } from '@switchyard/core';
import { z } from 'zod';

/** Usage for a response whose upstream reported none: zeros, flagged for the caller to estimate. */
export function unreportedUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, estimated: true };
}

/**
 * One token count as an upstream reports it. Anything but a number (a string, a value JSON
 * turned into Infinity) becomes NaN instead of failing the whole answer, so that
 * `normalizeUsage` zeroes and flags it.
 */
export const reportedCount = z.number().nullish().catch(Number.NaN);
