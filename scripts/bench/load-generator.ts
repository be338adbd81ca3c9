import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { readEventStream } from './read-event-stream.ts';

export type LoadRequest = { path: string; headers: Record<string, string>; body: string; stream: boolean };

export type LoadOptions = {
  origin: string;
  request: LoadRequest;
  /** Requests in flight at all times (closed loop: each finished one starts the next). */
  concurrency: number;
  /** Excluded from every figure: connections open, JIT and caches warm. */
  warmupMs: number;
  durationMs: number;
  /** Called at the start and the end of the measured window (CPU meters hook in here). */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
};

export type LoadResult = {
  windowMs: number;
  /** Requests that finished inside the measured window with a good answer. */
  completed: number;
  failed: number;
  /** The first few failures, to say what went wrong. */
  failures: string[];
  latencyMs: number[];
  /** Streams: time to the first content token, per request. */
  firstTokenMs: number[];
  /** Streams: content tokens received inside the window. */
  tokens: number;
};

/**
 * A closed-loop load generator on one undici keep-alive pool with one connection per
 * in-flight request. Only requests that finish inside the measured window count.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.origin, {
    connections: options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
  });
  const result: LoadResult = { windowMs: 0, completed: 0, failed: 0, failures: [], latencyMs: [], firstTokenMs: [], tokens: 0 };
  const startedAt = performance.now();
  const windowStart = startedAt + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  let stopped = false;

  const startTimer = setTimeout(() => options.onWindowStart?.(), options.warmupMs);
  const endTimer = setTimeout(() => {
    options.onWindowEnd?.();
    stopped = true;
  }, options.warmupMs + options.durationMs);

  const oneRequest = async () => {
    const sentAt = performance.now();
    try {
      const response = await pool.request({ path: options.request.path, method: 'POST', headers: options.request.headers, body: options.request.body });
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${(await response.body.text()).slice(0, 300)}`);
      let firstTokenAt: number | undefined;
      let tokens = 0;
      if (options.request.stream) {
        const stream = await readEventStream(response.body);
        firstTokenAt = stream.firstTokenAt;
        tokens = stream.tokens;
        if (tokens === 0) throw new Error('the stream carried no content token');
      } else {
        await response.body.text();
      }
      const finishedAt = performance.now();
      if (finishedAt < windowStart || finishedAt > windowEnd) return;
      result.completed++;
      result.latencyMs.push(finishedAt - sentAt);
      if (firstTokenAt !== undefined) result.firstTokenMs.push(firstTokenAt - sentAt);
      result.tokens += tokens;
    } catch (error) {
      const failedAt = performance.now();
      if (failedAt < windowStart || failedAt > windowEnd) return;
      result.failed++;
      if (result.failures.length < 3) result.failures.push((error as Error).message);
    }
  };

  const loop = async () => {
    while (!stopped) await oneRequest();
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, loop));
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    await pool.close();
  }
  result.windowMs = options.durationMs;
  return result;
}
