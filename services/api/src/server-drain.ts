// The api's graceful drain (SIGTERM). The listening socket closes at once, so new
// connections are refused and a load balancer moves on (GET /ready says `draining` to one
// that still asks on a kept-alive connection). What the api holds is served to its end:
// sync calls waiting for their worker, streams being relayed, and requests that still arrive
// on kept-alive connections, answered with `Connection: close` so each such connection carries
// one more at most. Connections left idle are closed as they appear. Past the timeout what is
// left is cut.
import type { Server, ServerResponse } from 'node:http';

export type DrainOutcome = {
  /** Requests in flight when the drain began. */
  heldAtStart: number;
  /** Requests that arrived on kept-alive connections during the drain (served, with `Connection: close`). */
  arrivedDuringDrain: number;
  /** Requests still unanswered at the timeout, whose connections were cut. */
  cut: number;
  durationMs: number;
};

export type ServerDrain = {
  readonly draining: boolean;
  /** Counts a request in flight until its response closes; once draining, its answer closes the connection. */
  track(response: ServerResponse): void;
  /** Stops listening and resolves once every connection is closed: all answered, or cut after `timeoutMs`. Idempotent. */
  drain(timeoutMs: number): Promise<DrainOutcome>;
};

/** How often connections that went idle (a stream that ended on a kept-alive connection) are looked for and closed. */
const idleSweepMs = 100;

export function createServerDrain(server: Server): ServerDrain {
  const inFlight = new Set<ServerResponse>();
  let arrivedDuringDrain = 0;
  let draining: Promise<DrainOutcome> | undefined;

  // Headers not yet sent (a sync call still waiting) can still say close; a stream already
  // under way said keep-alive, so its connection is closed once it is idle after the stream.
  const closeAfterAnswer = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('connection', 'close');
  };
  const closeIdleSoon = () => setImmediate(() => server.closeIdleConnections());

  const run = async (timeoutMs: number): Promise<DrainOutcome> => {
    const startedAt = Date.now();
    const heldAtStart = inFlight.size;
    // The callback comes once the last connection has closed (with an error when the server was not listening).
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const response of inFlight) closeAfterAnswer(response);
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), idleSweepMs);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const finished = await Promise.race([closed.then(() => true), timedOut]);
    clearTimeout(timer);
    const cut = finished ? 0 : inFlight.size;
    if (!finished) server.closeAllConnections();
    await closed;
    clearInterval(sweep);
    return { heldAtStart, arrivedDuringDrain, cut, durationMs: Date.now() - startedAt };
  };

  return {
    get draining() {
      return draining !== undefined;
    },
    track(response) {
      inFlight.add(response);
      if (draining) {
        arrivedDuringDrain += 1;
        closeAfterAnswer(response);
      }
      response.once('close', () => {
        inFlight.delete(response);
        if (draining) closeIdleSoon();
      });
    },
    drain(timeoutMs) {
      draining ??= run(timeoutMs);
      return draining;
    },
  };
}
