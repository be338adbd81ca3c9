import { headerValue, type UpstreamHeaders } from '../http/upstream-response.ts';

/**
 * How long the upstream asked us to wait: `retry-after-ms` first (OpenAI's precise hint),
 * then `retry-after` as seconds or an HTTP date.
 */
export function parseRetryAfter(headers: UpstreamHeaders, now = Date.now()): number | undefined {
  const milliseconds = Number.parseFloat(headerValue(headers, 'retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.ceil(milliseconds);
  const value = headerValue(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number.parseFloat(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
