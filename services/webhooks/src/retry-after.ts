/** The longest wait a receiver's `Retry-After` can impose: a day, like the end of the retry schedule. */
export const maxRetryAfterMs = 24 * 3600 * 1000;

/**
 * A `Retry-After` header in milliseconds from `now`: delta seconds or an HTTP date, capped at
 * a day, never negative; undefined when absent or unreadable (the schedule decides then).
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(maxRetryAfterMs, Math.round(Number(text) * 1000));
  // An HTTP date names its day and month (`Wed, 21 Oct 2026 07:28:00 GMT`); a bare `-5` is no date.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.min(maxRetryAfterMs, Math.max(0, date - now));
}
