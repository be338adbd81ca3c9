import type { Request } from 'express';

/** Parses RFC 7240 `Prefer`: `respond-async` and `wait=N` (seconds). */
export function parsePrefer(request: Request, maxWaitSeconds: number): { respondAsync: boolean; waitSeconds: number | undefined } {
  const header = request.headers.prefer;
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  let respondAsync = false;
  let waitSeconds: number | undefined;
  for (const token of text.split(/[,;]/)) {
    const [name, value] = token
      .trim()
      .split('=')
      .map((part) => part.trim().toLowerCase());
    if (name === 'respond-async') respondAsync = true;
    if (name === 'wait' && value && /^\d+$/.test(value)) waitSeconds = Math.min(Number(value), maxWaitSeconds);
  }
  return { respondAsync, waitSeconds };
}
