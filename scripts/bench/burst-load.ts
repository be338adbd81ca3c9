import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { LoadRequest, LoadResult } from './load-generator.ts';
import { readEventStream } from './read-event-stream.ts';

export type BurstOptions = {
  origin: string;
  request: LoadRequest;
  /** Requests sent at once, each once, each on its own connection. */
  count: number;
  /** A stream counts as complete with exactly this many content tokens (unset: at least one). */
  expectedTokens?: number;
  onStart?: () => void;
  onEnd?: () => void;
};

/**
 * `count` requests at once on as many connections: the window runs from the first send to
 * the last answer, and `completed` counts the answers that were whole (200, every token).
 * An unmeasured burst goes first, so the measured one runs on open connections: a Node server
 * listens with a backlog of 511, and 2,000 connects at once would measure SYN retries (1 s,
 * 3 s, 7 s) on every hop (load generator -> target -> mock upstream), not the gateway.
 */
export async function runBurst(options: BurstOptions): Promise<LoadResult> {
  const pool = new Pool(options.origin, {
    connections: options.count,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
  });
  const result: LoadResult = { windowMs: 0, completed: 0, failed: 0, failures: [], latencyMs: [], firstTokenMs: [], tokens: 0 };
  const fail = (message: string) => {
    result.failed++;
    if (result.failures.length < 3) result.failures.push(message);
  };
  const oneRequest = async () => {
    const sentAt = performance.now();
    try {
      const response = await pool.request({ path: options.request.path, method: 'POST', headers: options.request.headers, body: options.request.body });
      if (response.statusCode !== 200) return fail(`HTTP ${response.statusCode}: ${(await response.body.text()).slice(0, 300)}`);
      if (!options.request.stream) {
        await response.body.text();
        result.completed++;
        result.latencyMs.push(performance.now() - sentAt);
        return;
      }
      const stream = await readEventStream(response.body);
      const finishedAt = performance.now();
      result.tokens += stream.tokens;
      const whole = options.expectedTokens === undefined ? stream.tokens > 0 : stream.tokens === options.expectedTokens;
      if (!whole) return fail(`the answer carried ${stream.tokens} content token(s), not ${options.expectedTokens ?? 'one or more'}`);
      result.completed++;
      result.latencyMs.push(finishedAt - sentAt);
      if (stream.firstTokenAt !== undefined) result.firstTokenMs.push(stream.firstTokenAt - sentAt);
    } catch (error) {
      fail((error as Error).message);
    }
  };
  const burst = () => Promise.all(Array.from({ length: options.count }, oneRequest));
  try {
    await burst();
  } catch (error) {
    await pool.close();
    throw error;
  }
  // Within every hop's keep-alive timeout (the mock's 5 s, undici's 4 s by default).
  await sleep(200);
  Object.assign(result, { completed: 0, failed: 0, failures: [], latencyMs: [], firstTokenMs: [], tokens: 0 });
  const startedAt = performance.now();
  options.onStart?.();
  try {
    await burst();
  } finally {
    options.onEnd?.();
    result.windowMs = performance.now() - startedAt;
    await pool.close();
  }
  return result;
}
