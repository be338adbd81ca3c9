import type { Usage } from '@switchyard/core';

/** Usage for a response whose upstream reported none: zeros, flagged for the caller to estimate. */
export function unreportedUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, estimated: true };
}
