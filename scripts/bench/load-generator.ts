import { Pool } from 'undici';
import { runClosedLoop } from './closed-loop.ts';
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
  const firstTokenMs: number[] = [];
  let tokens = 0;
  try {
    const outcome = await runClosedLoop({
      concurrency: options.concurrency,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      onWindowStart: options.onWindowStart,
      onWindowEnd: options.onWindowEnd,
      operation: async () => {
        const response = await pool.request({ path: options.request.path, method: 'POST', headers: options.request.headers, body: options.request.body });
        if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${(await response.body.text()).slice(0, 300)}`);
        if (!options.request.stream) {
          await response.body.text();
          return;
        }
        const stream = await readEventStream(response.body);
        if (stream.tokens === 0) throw new Error('the stream carried no content token');
        return (sentAt: number) => {
          if (stream.firstTokenAt !== undefined) firstTokenMs.push(stream.firstTokenAt - sentAt);
          tokens += stream.tokens;
        };
      },
    });
    return { ...outcome, firstTokenMs, tokens };
  } finally {
    await pool.close();
  }
}
