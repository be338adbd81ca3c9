import { request, type Dispatcher } from 'undici';
import type { AttemptResult } from './attempt-result.ts';
import { DestinationRefusedError } from './guarded-agent.ts';

/** At most this much of a receiver's answer is read; the rest is cut with the connection. */
const maxResponseBytes = 4096;

export type SendWebhookOptions = {
  dispatcher: Dispatcher;
  url: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
};

/**
 * One POST to a receiver. The whole attempt (connect, send, status line, then up to 4 KiB of
 * the body) has `timeoutMs`; redirects are never followed (undici's `request` does not, and no
 * redirect interceptor is installed), so a 3xx is just a status. The outcome is the status
 * line: a body that does not end in time is cut without changing it.
 */
export async function sendWebhook(options: SendWebhookOptions): Promise<AttemptResult> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(options.url, { method: 'POST', dispatcher: options.dispatcher, headers: options.headers, body: options.body, signal });
  } catch (error) {
    const refused = findRefusal(error);
    if (refused) return { kind: 'refused', reason: refused.reason };
    if (signal.aborted) return { kind: 'timeout', timeoutMs: options.timeoutMs };
    return { kind: 'error', message: describeError(error) };
  }
  await discardBody(response.body);
  const retryAfter = response.headers['retry-after'];
  return { kind: 'response', status: response.statusCode, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) };
}

async function discardBody(body: Dispatcher.ResponseData['body']): Promise<void> {
  let read = 0;
  try {
    for await (const chunk of body) {
      read += (chunk as Buffer).length;
      if (read >= maxResponseBytes) break;
    }
  } catch {
    // A body cut by the timeout or the receiver does not change the status it sent.
  } finally {
    if (!body.destroyed) body.destroy();
  }
}

function findRefusal(error: unknown): DestinationRefusedError | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    if (current instanceof DestinationRefusedError) return current;
  }
  return undefined;
}

/** A connection error as one line: its code and message, never the request (no URL, no headers). */
function describeError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.message && cause.message !== message ? `: ${cause.message}` : '';
  return `${code && !message.includes(code) ? `${code} ` : ''}${message}${detail}`.slice(0, 500);
}
