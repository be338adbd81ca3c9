// Small writers shared by the mock dialects; they stay on node:http's fast path.
import type { ServerResponse } from 'node:http';
import type { MockExchange } from './mock-server.ts';

export function writeJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function retryAfterHeaders(failure: { retryAfterSeconds?: number; retryAfterMs?: number }): Record<string, string> {
  const headers: Record<string, string> = {};
  if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
  if (failure.retryAfterMs !== undefined) headers['retry-after-ms'] = String(failure.retryAfterMs);
  return headers;
}

/** Resolves after `milliseconds`, or early when the signal aborts. */
export function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  if (milliseconds <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** One piece of a streamed body; `token` frames are spaced by the token delay. */
export type Frame = { text: string; token?: boolean };

/**
 * Sends the frames, then ends the response, or destroys the socket to simulate an
 * upstream dying mid-stream. Without a token delay everything goes out in one write.
 */
export async function sendFrames(
  exchange: MockExchange,
  frames: Frame[],
  options: { contentType: string; tokenDelayMs: number; end: 'end' | 'destroy' },
): Promise<void> {
  const { response, signal } = exchange;
  response.writeHead(200, { 'content-type': options.contentType, 'cache-control': 'no-cache' });
  if (options.tokenDelayMs <= 0) {
    await finish(exchange, frames.map((frame) => frame.text).join(''), options.end);
    return;
  }
  let sentToken = false;
  let pending = '';
  for (const frame of frames) {
    if (frame.token && sentToken) {
      if (pending) response.write(pending);
      pending = '';
      await sleep(options.tokenDelayMs, signal);
      if (signal.aborted) return;
    }
    if (frame.token) sentToken = true;
    pending += frame.text;
  }
  await finish(exchange, pending, options.end);
}

async function finish(exchange: MockExchange, text: string, end: 'end' | 'destroy'): Promise<void> {
  if (exchange.signal.aborted) return;
  if (end === 'end') {
    exchange.response.end(text);
    return;
  }
  await new Promise<void>((resolve) => exchange.response.write(text, () => resolve()));
  exchange.cutConnection();
}
