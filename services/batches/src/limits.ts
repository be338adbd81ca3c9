import type { SwitchyardConfig } from '@switchyard/config';

/** Lines one batch may hold by default (OpenAI's limit); `batches.maxLines` sets it. */
export const maxBatchLines = 50_000;

/**
 * Seconds a completion window lasts, or undefined for a window the gateway does not offer.
 * Clients may ask for '24h' only (as OpenAI); what it lasts is `batches.completionWindowSeconds`,
 * so a test or an operator can shorten it.
 */
export function parseCompletionWindow(config: SwitchyardConfig, window: string): number | undefined {
  return window === '24h' ? config.batches.completionWindowSeconds : undefined;
}
